"""The whole quarterly loop in Chromium: fill in, fix an error, submit, get returned, resubmit, approval."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from departments.models import Department, Membership
from departments.roles import OFFICE_GROUP
from tasks.models import QuarterlyReport, ReportingPeriod
from tasks.roles import ensure_role_groups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(live_plan, django_user_model):
    ensure_role_groups()
    today = dt.date.today()
    ReportingPeriod.objects.create(
        year=today.year, quarter=1, opens_on=today - dt.timedelta(days=3), due_on=today + dt.timedelta(days=7)
    )
    reporter = django_user_model.objects.create_user("qlh", password="pw-qlh-2023", first_name="七里海填报人")
    Membership.objects.create(user=reporter, department=Department.objects.get(name="七里海管委会"))
    office = django_user_model.objects.create_user(
        "office", password="pw-office-2023", first_name="碳达峰办", is_staff=True
    )
    office.groups.add(Group.objects.get(name=OFFICE_GROUP))
    return reporter, office


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(f"{base}/reports/")


def log_out(page):
    page.click("header form.inline button")


def fill_report(page, *, forest_value: str):
    for card in page.locator("fieldset.task-card[id^=task-]").all():
        card.locator("select[name$=-status]").select_option("in_progress")
        card.locator("input[name$=-percent_complete]").fill("40")
        card.locator("textarea[name$=-work_done]").fill("完成湿地修复一期工程。")
    for card in page.locator("fieldset.task-card[id^=indicator-]").all():
        value = card.locator("input[name$=-value]")
        if value.count():
            value.fill("5")
        reached = card.locator("select[name$=-reached]")
        if reached.count():
            reached.select_option("no")
        card.locator("input[name$=-data_source]").fill("区林业局统计")
    page.locator("fieldset:has(legend:has-text('全区森林覆盖率')) input[name$=-value]").fill(forest_value)


def test_report_goes_round_the_loop_in_the_browser(live_server, page, people, screenshot):
    base = live_server.url
    log_in(page, base, "qlh", "pw-qlh-2023")
    page.click("text=开始填写本季度报告")
    page.wait_for_selector("#report-form")

    fill_report(page, forest_value="8.3")
    first_task = page.locator("fieldset.task-card[id^=task-]").first
    first_task.locator("input[name$=-percent_complete]").fill("150")
    page.click("button[value=save]")

    assert page.locator(".field.has-error .error").first.inner_text() == "完成百分比须在 0 到 100 之间。"
    assert first_task.locator("textarea[name$=-work_done]").input_value() == "完成湿地修复一期工程。"
    assert page.locator("fieldset:has(legend:has-text('全区森林覆盖率')) input[name$=-value]").input_value() == "8.3"
    screenshot("reporting-1-error-kept-input")

    page.locator("fieldset.task-card[id^=task-]").first.locator("input[name$=-percent_complete]").fill("45")
    page.click("button[value=submit]")
    page.wait_for_selector("text=报告已提交。")
    report = QuarterlyReport.objects.get(department__name="七里海管委会")
    assert report.status == "submitted"
    log_out(page)

    log_in(page, base, "office", "pw-office-2023")
    page.click(f"a[href='/reports/{report.pk}/']")
    page.fill("textarea[name=comment]", "请补充森林覆盖率的测算依据。")
    page.click("text=退回并附意见")
    page.wait_for_selector("text=报告已连同您的意见退回该单位。")
    log_out(page)

    log_in(page, base, "qlh", "pw-qlh-2023")
    assert "请补充森林覆盖率的测算依据。" in page.inner_text("body")
    page.click(f"a[href='/reports/{report.pk}/']")
    assert "请补充森林覆盖率的测算依据。" in page.inner_text("#office-comment")
    page.locator("fieldset:has(legend:has-text('全区森林覆盖率')) textarea[name$=-note]").fill(
        "依据2026年森林资源年度更新。"
    )
    page.click("button[value=submit]")
    page.wait_for_selector("text=报告已提交。")
    screenshot("reporting-2-resubmitted")
    log_out(page)

    log_in(page, base, "office", "pw-office-2023")
    page.goto(f"{base}/reports/{report.pk}/")
    page.click("text=审核通过")
    page.wait_for_selector("text=报告已审核通过并锁定。")
    report.refresh_from_db()
    assert report.status == "approved"
    screenshot("reporting-3-approved")
    log_out(page)

    log_in(page, base, "qlh", "pw-qlh-2023")
    page.goto(f"{base}/reports/{report.pk}/")
    assert page.locator("#report-form").count() == 0
    assert page.locator("input[name$=-percent_complete]").count() == 0
    assert "已审核通过" in page.inner_text(".meta")
    actions = [e.action for e in report.events.order_by("at", "pk")]
    assert actions == ["create", "save", "submit", "return", "save", "submit", "approve"]
