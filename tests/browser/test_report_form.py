"""The report form typed into as a clerk types (keyboard, not `fill`): nothing typed is lost, a new quarter is
carried over from the last approved one, the office reviews each figure beside the last approved one, and the
form, the home page and the review page fit a 390 px phone."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from departments.models import Department, Membership
from departments.roles import OFFICE_GROUP
from indicators.models import Indicator
from tasks import services
from tasks.models import Evidence, IndicatorValue, QuarterlyReport, ReportingPeriod
from tasks.roles import ensure_role_groups
from tests.browser.test_reporting_flow import log_in, log_out
from tests.tasks.test_evidence import EXE
from tests.tasks.test_smoke import complete_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COVERAGE = "fieldset:has(legend:has-text('全区森林覆盖率'))"
AREA = "fieldset:has(legend:has-text('全区森林面积'))"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def last_quarter_approved(live_plan, django_user_model):
    """七里海管委会 with an approved first quarter (forest cover 7.39 %, area 1200 万亩) and an open second one."""
    ensure_role_groups()
    today = dt.date.today()
    first = ReportingPeriod.objects.create(
        year=today.year, quarter=1, opens_on=today - dt.timedelta(days=120), due_on=today - dt.timedelta(days=80)
    )
    ReportingPeriod.objects.create(
        year=today.year, quarter=2, opens_on=today - dt.timedelta(days=3), due_on=today + dt.timedelta(days=7)
    )
    reporter = django_user_model.objects.create_user("qlh", password="pw-qlh-2023", first_name="七里海填报人")
    department = Department.objects.get(name="七里海管委会")
    Membership.objects.create(user=reporter, department=department)
    office = django_user_model.objects.create_user("office", password="pw-office-2023", is_staff=True)
    office.groups.add(Group.objects.get(name=OFFICE_GROUP))

    report = services.start_report(plan=live_plan, department=department, period=first, by=reporter)
    tasks, indicators = complete_data(report)
    for code, value in [("forest-coverage", Decimal("7.39")), ("forest-area", Decimal("1200"))]:
        indicators[Indicator.objects.get(code=code).pk]["value"] = value
    services.save_draft(report=report, by=reporter, version=report.version, task_data=tasks, indicator_data=indicators)
    services.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=reporter)
    services.approve_report(report=QuarterlyReport.objects.get(pk=report.pk), by=office)
    return report


def retype(locator, text: str) -> None:
    """Select what the field holds and type over it, key by key."""
    locator.click()
    locator.press("Control+a")
    locator.press("Backspace")
    locator.press_sequentially(text)


def save(page) -> None:
    page.click("button[value=save]")
    page.wait_for_load_state()


def stored(code: str):
    return IndicatorValue.objects.get(report__period__quarter=2, indicator__code=code).value


def fits(page) -> None:
    """Measured once the stylesheets are in: a click's navigation returns before they load, and an unstyled
    table is wider than a phone."""
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_nothing_typed_is_lost_and_a_new_quarter_starts_from_the_last(
    live_server, page, last_quarter_approved, screenshot
):
    base = live_server.url
    log_in(page, base, "qlh", "pw-qlh-2023")
    page.click("text=开始填写本季度报告")
    page.wait_for_selector("#report-form")

    # carried over: the task's text is last quarter's, marked; the figures are not, but shown beside the field
    first_task = page.locator("fieldset.task-card[id^=task-]").first
    assert first_task.locator(".carried").inner_text() == "沿用上季度"
    assert first_task.locator("textarea[name$=-work_done]").input_value() == "完成了工作。"
    coverage = page.locator(f"{COVERAGE} input[name$=-value]")
    assert coverage.input_value() == ""
    assert "：7.39 %" in page.locator(f"{COVERAGE} .beside").inner_text()
    assert coverage.get_attribute("inputmode") == "decimal"
    screenshot("report-form-1-carried-over")

    # a figure typed as text, then a range: refused with the input quoted, everything typed kept
    retype(first_task.locator("textarea[name$=-work_done]"), "七里海湿地补水两次，完成芦苇补植。")
    for typed, words in [("约7.4", "含有文字或单位"), ("7-8", "是一个范围")]:
        retype(coverage, typed)
        save(page)
        error = page.locator(f"{COVERAGE} .field.has-error .error").first.inner_text()
        assert f"“{typed}”" in error and words in error
        assert coverage.input_value() == typed
        assert first_task.locator("textarea[name$=-work_done]").input_value() == "七里海湿地补水两次，完成芦苇补植。"
        assert stored("forest-coverage") is None
    assert page.locator(".report-toc a:has-text('全区森林覆盖率') .item-state").inner_text() == "有错误"
    screenshot("report-form-2-refused-figure")

    # full-width digits and a thousands separator are read; the change from last quarter is shown as typed
    retype(coverage, "７．５")
    area = page.locator(f"{AREA} input[name$=-value]")
    retype(area, "1,250")
    assert "+50" in page.locator(f"{AREA} output.delta").inner_text()
    save(page)
    page.wait_for_selector("text=草稿已保存。")
    assert (stored("forest-coverage"), stored("forest-area")) == (Decimal("7.5"), Decimal("1250"))
    assert coverage.input_value() == "7.5" and area.input_value() == "1250"
    assert first_task.locator("textarea[name$=-work_done]").input_value() == "七里海湿地补水两次，完成芦苇补植。"

    # a refused file with unsaved text in the form: the text stays, the message sits beside the file field
    problems = first_task.locator("textarea[name$=-problems]")
    retype(problems, "补水指标待市里下达。")
    first_task.locator("input[type=file]").set_input_files(
        {"name": "验收报告.pdf", "mimeType": "application/pdf", "buffer": EXE}
    )
    save(page)
    file_field = first_task.locator(".field:has(input[type=file])")
    assert "“验收报告.pdf”的内容与文件名不符" in file_field.inner_text()
    assert problems.input_value() == "补水指标待市里下达。"
    assert not Evidence.objects.exists()
    assert page.locator("#report-form[data-pending]").count() == 1  # leaving now would ask first
    screenshot("report-form-3-refused-upload")

    # autosave while typing: the text reaches the database without pressing a button
    retype(problems, "补水指标待市里下达，已去函催办。")
    page.wait_for_selector("#autosave-status:has-text('已于')", timeout=20000)
    assert (
        last_quarter_approved.department.reports.get(period__quarter=2)
        .task_updates.filter(problems="补水指标待市里下达，已去函催办。")
        .exists()
    )

    # leaving with unsaved changes asks first
    report_url = page.url
    retype(problems, "补水指标待市里下达，已去函催办，等待回复。")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.goto(f"{base}/reports/")
    assert asked == ["beforeunload"]
    page.goto(report_url)

    # submit: carried-over items must be confirmed; the contents say which
    for card in page.locator("fieldset.task-card[id^=task-]").all():
        box = card.locator("input[name$=-confirm_carried]")
        if box.count() and not box.is_checked():
            box.check()
    for card in [COVERAGE, AREA]:
        retype(page.locator(f"{card} input[name$=-data_source]"), "区林业统计年报")
    page.click("button[value=submit]")
    page.wait_for_selector("text=报告已提交。")
    assert QuarterlyReport.objects.get(period__quarter=2).status == "submitted"


def test_the_office_reviews_each_figure_beside_the_last_and_a_phone_fits(
    live_server, page, last_quarter_approved, screenshot
):
    reporter = last_quarter_approved.updated_by
    report = services.start_report(
        plan=last_quarter_approved.plan,
        department=last_quarter_approved.department,
        period=ReportingPeriod.objects.get(quarter=2),
        by=reporter,
    )
    tasks, indicators = complete_data(report)
    for data in tasks.values():
        data["confirm_carried"] = True
    indicators[Indicator.objects.get(code="forest-coverage").pk]["value"] = Decimal("7.5")
    indicators[Indicator.objects.get(code="forest-area").pk]["value"] = Decimal("1250")
    services.save_draft(report=report, by=reporter, version=report.version, task_data=tasks, indicator_data=indicators)

    # the clerk's form on a phone: no sideways scrolling, buttons of a finger's size
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, "qlh", "pw-qlh-2023")
    fits(page)
    page.goto(f"{base}{report.get_absolute_url()}")
    fits(page)
    assert page.locator("button[value=save]").bounding_box()["height"] >= 40
    screenshot("report-form-4-phone")
    page.click("button[value=submit]")
    page.wait_for_selector("text=报告已提交。")
    log_out(page)

    log_in(page, base, "office", "pw-office-2023")
    fits(page)
    assert "份待您审核" in page.inner_text("#queue-counts")
    page.click(f"a[href='{report.get_absolute_url()}']")
    row = page.locator("#figures tr:has-text('全区森林覆盖率')")
    assert "7.39" in row.locator(".previous").inner_text()
    assert "+0.11" in row.locator(".change").inner_text()
    fits(page)
    screenshot("report-review-phone")
    row.locator("textarea").press_sequentially("请附森林资源年度更新的测算依据。")
    page.click("text=退回并附意见")
    page.wait_for_selector("text=报告已连同您的意见退回该单位。")
    report.refresh_from_db()
    assert report.status == "returned"
    assert report.office_comment == "【全区森林覆盖率】请附森林资源年度更新的测算依据。"
