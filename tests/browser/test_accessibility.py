"""Every role's pages pass axe-core's WCAG 2 A/AA rules, and the reporting form and the review work by keyboard alone.

The audit itself runs in conftest's `page` fixture after each load; this file makes sure it sees each role's pages
(beyond those the flow tests happen to visit) and that it really fails on a violation.
"""

import re

import pytest
from django.utils import timezone

from evaluation import services as evaluation
from tasks import demo
from tasks.models import QuarterlyReport, ReportStatus

from .test_dashboard import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CODE = "ninghe-2023"
PUBLIC = [
    "/",
    f"/plans/{CODE}/",
    f"/plans/{CODE}/areas/1/",
    f"/plans/{CODE}/targets/",
    f"/plans/{CODE}/departments/",
    "/accounts/login/",
    "/accounts/demo/",
]


def current_report(status):
    year, quarter = demo.current_quarter(timezone.localdate())
    return QuarterlyReport.objects.filter(period__year=year, period__quarter=quarter, status=status)


def visit(page, base, paths):
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, (path, response.status)


def first_link(page, base, path, selector):
    page.goto(base + path)
    return page.locator(selector).first.get_attribute("href")


def test_the_audit_fails_a_page_with_a_violation(page, axe_audit):
    """The audit is real: an image without a text alternative is reported (then cleared, so this test passes)."""
    page.route("http://a11y.invalid/", lambda route: route.fulfill(content_type="text/html", body=BAD_PAGE))
    page.goto("http://a11y.invalid/")
    found = "\n".join(axe_audit.run())
    assert "image-alt" in found and "html-has-lang" in found
    axe_audit.violations.clear()


BAD_PAGE = "<!DOCTYPE html><html><head><title>x</title></head><body><main><img src='/x.png'></main></body></html>"


def test_every_role_s_pages_pass_the_audit(live_server, page, demo_plan, settings, axe_audit):
    settings.DEMO_MODE = True
    page.set_default_timeout(60_000)  # the evaluation's preview lays out the whole document; slow on a busy machine
    base = live_server.url
    visit(page, base, PUBLIC)
    visit(page, base, [first_link(page, base, f"/plans/{CODE}/areas/1/", "table.targets a[href*='/tasks/']")])
    visit(page, base, [first_link(page, base, f"/plans/{CODE}/targets/", "a[href*='/indicators/']")])
    visit(page, base, [first_link(page, base, f"/plans/{CODE}/departments/", "a[href*='/departments/']")])

    returned = current_report(ReportStatus.RETURNED).first()
    reporter = returned.department.members.get(role="reporter").user
    log_in(page, base, reporter.username)
    visit(page, base, [f"/reports/{returned.pk}/", "/api/v1/token/", "/accounts/password/"])

    awaiting = current_report(ReportStatus.AWAITING_SIGNOFF).get()
    log_in_again(page, base, awaiting.department.members.get(role="head").user.username)
    visit(page, base, [f"/reports/{awaiting.pk}/"])

    evaluation.evaluation_for(demo_plan, 2025)
    submitted = current_report(ReportStatus.SUBMITTED).first()
    approved = current_report(ReportStatus.APPROVED).first()
    log_in_again(page, base, "demo-office")
    office_pages = [
        f"/reports/{submitted.pk}/",
        f"/reports/{approved.pk}/",
        f"/plans/{CODE}/overview/",
        f"/evaluation/{CODE}/2025/",
        f"/evaluation/{CODE}/2025/assessment/",
        f"/evaluation/{CODE}/2025/preview/",
        "/admin/",
        "/admin/tasks/reportingperiod/",
        "/admin/indicators/indicator/",
        "/admin/departments/department/",
        "/admin/departments/membership/add/",
    ]
    visit(page, base, office_pages)
    page.goto(f"{base}/plans/{CODE}/targets/")
    # Every column of the targets table fits a laptop's width: the verdict and latest figures wrap under the badge
    # (the office sees the values at their date beside the latest, the longest status cells).
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    visit(page, base, [first_link(page, base, "/admin/indicators/indicator/", "#result_list th a")])

    log_in_again(page, base, "demo-viewer")
    visit(page, base, ["/reports/", f"/reports/{approved.pk}/", f"/plans/{CODE}/overview/"])

    log_in_again(page, base, "demo-admin")
    visit(page, base, ["/admin/targets/plan/", "/admin/targets/task/", "/admin/indicators/target/"])
    visit(page, base, [first_link(page, base, "/admin/indicators/target/", "#result_list th a")])
    assert len(axe_audit.audited) >= len(PUBLIC) + len(office_pages) + 15


def log_in_again(page, base, username):
    page.click("header form.inline button")
    log_in(page, base, username)


def focus(page):
    """What has the keyboard focus, where it is in the document and whether it shows."""
    return page.evaluate(
        """() => {
          const e = document.activeElement, s = getComputedStyle(e);
          const all = Array.from(document.querySelectorAll('*'));
          return {tag: e.tagName, id: e.id, name: e.getAttribute('name') || '', value: e.value || '',
                  text: (e.innerText || '').trim().slice(0, 40), index: all.indexOf(e),
                  shown: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'};
        }"""
    )


def tab_until(page, matches, limit=600):
    """Presses Tab until `matches(focus)`; every stop on the way shows its focus and comes later in the page."""
    last = -1
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focus(page)
        assert now["shown"], f"no visible focus on {now}"
        assert now["index"] > last, f"the tab order jumps back to {now}"
        last = now["index"]
        if matches(now):
            return now
    raise AssertionError("never reached by Tab")


def test_a_reporter_and_the_office_work_by_keyboard_alone(live_server, page, demo_plan):
    base = live_server.url
    returned = current_report(ReportStatus.RETURNED).first()
    reporter = returned.department.members.get(role="reporter").user

    page.goto(f"{base}/accounts/login/")
    assert focus(page)["name"] == "username"  # the form's own autofocus: type at once
    page.keyboard.type(reporter.username)
    page.keyboard.press("Tab")
    page.keyboard.type(demo.DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/reports/")

    page.goto(f"{base}/reports/{returned.pk}/")
    page.keyboard.press("Tab")
    assert focus(page)["text"] == "跳到正文"
    page.keyboard.press("Enter")  # past the header's links, straight to the report
    assert focus(page)["id"] == "main"
    tab_until(page, lambda f: f["tag"] == "TEXTAREA" and f["name"].endswith("-work_done"))
    page.keyboard.press("End")
    page.keyboard.type("键盘填写。")
    tab_until(page, lambda f: f["tag"] == "BUTTON" and f["value"] == "submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=报告已提交。")
    returned.refresh_from_db()
    assert returned.status == ReportStatus.SUBMITTED
    assert returned.task_updates.filter(work_done__endswith="键盘填写。").count() == 1

    page.click("header form.inline button")
    log_in(page, base, "demo-office")
    page.goto(f"{base}/reports/{returned.pk}/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    tab_until(page, lambda f: f["name"] == "comment")
    page.keyboard.type("请再补充一季度的佐证材料。")
    tab_until(page, lambda f: f["tag"] == "BUTTON" and re.search("退回", f["text"]))
    page.keyboard.press("Enter")
    page.wait_for_selector("text=报告已连同您的意见退回该单位。")
    returned.refresh_from_db()
    assert returned.status == ReportStatus.RETURNED and returned.office_comment == "请再补充一季度的佐证材料。"
