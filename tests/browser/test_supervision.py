"""The supervision loop in Chromium, as people click it: the office opens a notice from the overview's risk list,
the unit answers with evidence, the office sends it back, the unit answers again, the office closes it; a second
notice passes its deadline and shows as overdue on the overview and on the unit's home page."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from supervision import services
from supervision.models import Notice, Status
from supervision.selectors import free_subject
from tests.browser.test_dashboard import log_in
from tests.browser.test_reporting_flow import log_out
from tests.files import one_page_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def member_of(department) -> str:
    return department.members.order_by("pk").first().user.username


def test_a_notice_goes_round_the_loop_and_a_late_one_turns_red(live_server, page, demo_plan, screenshot):
    base = live_server.url
    overview = f"{base}/plans/{demo_plan.code}/overview/"

    # the office opens a notice from the first row of the risk list
    log_in(page, base, "demo-office")
    page.goto(overview)
    first_risk = page.locator("#risks tbody tr").first
    risk_name = first_risk.locator("td").nth(1).locator("a").first.inner_text()
    first_risk.get_by_role("link", name="督办").click()
    page.wait_for_selector("#subject")
    assert risk_name in page.locator("#subject").inner_text()
    page.get_by_label("督办要求").fill("请于期限内报送整改措施及佐证材料。")
    screenshot("supervision-1-open")
    page.get_by_role("button", name="交办").click()
    page.wait_for_selector("#notice-number")
    notice = Notice.objects.get()
    assert (
        page.locator("#notice-number").inner_text()
        == notice.display_number
        == f"宁碳督〔{timezone.localdate().year}〕1号"
    )
    assert notice.target is not None and notice.figures.get("status")
    log_out(page)

    # the unit finds it at the top of its home page and answers with a file
    unit = member_of(notice.responsible)
    log_in(page, base, unit)
    panel = page.locator("#supervision-notices")
    assert notice.display_number in panel.inner_text()
    panel.get_by_role("link", name=notice.display_number, exact=False).click()
    page.get_by_label("整改措施").fill("已制定专项方案，完成第一阶段工作。")
    page.get_by_label("计划完成日期").fill("2027-03-31")
    page.get_by_label("佐证材料").set_input_files(
        [{"name": "整改方案.pdf", "mimeType": "application/pdf", "buffer": one_page_pdf()}]
    )
    page.get_by_role("button", name="提交反馈").click()
    page.wait_for_selector("text=反馈已报送领导小组办公室。")
    assert "整改方案.pdf" in page.locator("#history").inner_text()
    log_out(page)

    # the office sends it back
    log_in(page, base, "demo-office")
    page.goto(f"{base}{notice.get_absolute_url()}")
    page.locator("#form-return").get_by_label("意见").fill("措施不够具体，请补充时间表。")
    page.get_by_role("button", name="退回反馈").click()
    page.wait_for_selector("text=反馈已退回承办单位。")
    log_out(page)

    # the unit answers again
    log_in(page, base, unit)
    page.goto(f"{base}{notice.get_absolute_url()}")
    assert "措施不够具体" in page.locator("#history").inner_text()
    page.get_by_label("整改措施").fill("已补充时间表：2027年1月完成验收，3月底全部完成。")
    page.get_by_label("计划完成日期").fill("2027-03-31")
    page.get_by_role("button", name="提交反馈").click()
    page.wait_for_selector("text=反馈已报送领导小组办公室。")
    log_out(page)

    # the office closes it; nothing can be done on it afterwards
    log_in(page, base, "demo-office")
    page.goto(f"{base}{notice.get_absolute_url()}")
    page.get_by_role("button", name="办结", exact=True).click()
    page.wait_for_selector("text=督办单已办结。")
    assert page.locator("#office-actions").count() == 0
    steps = page.locator("#history ol.steps > li > strong").all_inner_texts()
    assert steps == ["交办", "反馈", "退回", "反馈", "办结"]
    screenshot("supervision-2-closed")
    notice.refresh_from_db()
    assert notice.status == Status.CLOSED

    # a second notice passes its deadline
    today = timezone.localdate()
    late = services.open_notice(
        subject=free_subject(demo_plan),
        by=User.objects.get(username="demo-office"),
        title="可再生能源项目推进情况",
        responsible=notice.responsible,
        requirement="请说明进度滞后原因。",
        deadline=today + dt.timedelta(days=1),
        today=today,
    )
    page.goto(overview)
    assert page.locator("#overdue-notices").count() == 0
    log_out(page)
    with time_machine.travel(dt.datetime.combine(today + dt.timedelta(days=3), dt.time(1), tzinfo=dt.UTC)):
        log_in(page, base, "demo-office")
        page.goto(overview)
        assert late.display_number in page.locator("#overdue-notices").inner_text()
        screenshot("supervision-3-overdue-overview")
        log_out(page)
        log_in(page, base, unit)
        row = page.locator("#supervision-notices li.overdue-row")
        assert late.display_number in row.inner_text() and "逾期" in row.inner_text()
        screenshot("supervision-4-overdue-unit-home")
