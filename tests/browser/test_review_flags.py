"""The office's check prompts in Chromium: counted on its home, explained on the review page, one dismissed with
the keyboard and its reason kept; axe audits both pages with the prompts on them."""

import datetime as dt

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import QuarterlyReport, ReportingPeriod, ReportStatus, TaskUpdate
from tests.browser.test_reporting_flow import log_in, people  # noqa: F401 (a fixture)
from tests.tasks.test_smoke import complete_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted_with_prompts(live_plan, people):  # noqa: F811
    """七里海管委会 reported 60 % on each task last quarter and sends 40 % now: one prompt per task."""
    reporter, _ = people
    department = reporter.membership.department
    year = dt.date.today().year - 1
    last = ReportingPeriod.objects.create(
        year=year, quarter=4, opens_on=dt.date(year, 12, 1), due_on=dt.date(year + 1, 1, 10)
    )
    earlier = QuarterlyReport.objects.create(
        plan=live_plan, department=department, period=last, status=ReportStatus.APPROVED, approved_at=timezone.now()
    )
    period = ReportingPeriod.objects.exclude(pk=last.pk).get()
    report = services.start_report(plan=live_plan, department=department, period=period, by=reporter)
    TaskUpdate.objects.bulk_create(
        TaskUpdate(report=earlier, task=u.task, status="in_progress", percent_complete=60, work_done="上季度。")
        for u in report.task_updates.all()
    )
    tasks, indicators = complete_data(report)
    for row in tasks.values():
        row["percent_complete"] = 40
    services.save_draft(report=report, by=reporter, version=report.version, task_data=tasks, indicator_data=indicators)
    return services.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=reporter)


def test_office_reads_the_prompts_and_dismisses_one_with_the_keyboard(
    live_server, page, submitted_with_prompts, screenshot
):
    report = submitted_with_prompts
    prompts = report.quality_flags.count()
    assert prompts == report.task_updates.count() > 1

    log_in(page, live_server.url, "office", "pw-office-2023")
    assert page.inner_text("#flagged-count") == "1份报告有待核查提示"
    page.click(f"#report-states a[href='/reports/{report.pk}/#quality-flags']")
    section = page.locator("#quality-flags")
    assert f"完成百分比由{dt.date.today().year - 1}年第4季度的60%降至40%。" in section.inner_text()
    screenshot("review-flags-1-open")

    first = section.locator("li.flag").first
    first.locator("input[name=reason]").focus()
    page.keyboard.type("已电话核实：上季度误报。")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=已忽略这条待核查提示，理由记入历史记录。")

    first = page.locator("#quality-flags li.flag.dismissed")
    assert "碳达峰办 于" in first.inner_text() and "“已电话核实：上季度误报。”" in first.inner_text()
    assert page.locator("#quality-flags input[name=reason]").count() == prompts - 1
    assert "忽略待核查提示" in page.inner_text("#history")
    screenshot("review-flags-2-dismissed")
