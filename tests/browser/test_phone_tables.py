"""On a 390 px phone no page scrolls sideways: a wide table scrolls in its own region ({% tablescroll %}), which
the keyboard reaches with Tab and scrolls with the arrow keys. The office's and a unit's main pages, each audited by
axe-core (conftest), so a region that scrolls without being focusable or named fails here too."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from departments.models import Department
from evaluation import services as evaluation
from meetings import services as meetings
from tasks.models import ReportStatus

from .test_accessibility import current_report, first_link, focus, tab_until
from .test_dashboard import log_in
from .test_report_form import PHONE, fits
from .test_reporting_flow import log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CODE = "ninghe-2023"
REGION = ".table-scroll[role=region][aria-label]"


def visit_fitting(page, base, paths):
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, (path, response.status)
        fits(page)


def a_meeting_with_a_decision(plan):
    office = get_user_model().objects.get(username="demo-office")
    today = timezone.localdate()
    owner = Department.objects.get(name="七里海管委会")
    meeting = meetings.record_meeting(
        plan=plan, held_on=today, title="2026年第四季度碳达峰工作调度会", attendees=[owner], by=office
    )
    meetings.add_decision(
        meeting=meeting,
        text="七里海湿地补植方案月底前报送办公室",
        responsible=owner,
        deadline=today + dt.timedelta(days=20),
        by=office,
        today=today,
    )
    return meeting


def test_no_page_scrolls_sideways_on_a_phone_for_the_office_or_a_unit(live_server, page, demo_plan):
    base = live_server.url
    evaluation.evaluation_for(demo_plan, 2025)
    meeting = a_meeting_with_a_decision(demo_plan)
    page.set_viewport_size(PHONE)

    log_in(page, base, "demo-office")
    targets = f"/plans/{CODE}/targets/"
    indicator = first_link(page, base, targets, "table.targets a[href*='/indicators/']")
    task = first_link(page, base, f"/plans/{CODE}/areas/1/", "table.tasks a[href*='/tasks/']")
    department = first_link(page, base, f"/plans/{CODE}/departments/", "table a[href*='/departments/']")
    submitted = current_report(ReportStatus.SUBMITTED).first()
    visit_fitting(
        page,
        base,
        [
            "/reports/",
            f"/reports/{submitted.pk}/",
            f"/plans/{CODE}/",
            f"/plans/{CODE}/overview/",
            f"/plans/{CODE}/areas/1/",
            targets,
            indicator,
            task,
            f"/plans/{CODE}/departments/",
            department,
            "/reports/official/",
            "/supervision/",
            "/meetings/",
            f"/meetings/{meeting.pk}/",
            f"/evaluation/{CODE}/2025/",
            f"/evaluation/{CODE}/2025/assessment/",
            f"/city-report/{CODE}/",  # this quarter's report
        ],
    )
    log_out(page)

    returned = current_report(ReportStatus.RETURNED).first()
    log_in(page, base, returned.department.members.get(role="reporter").user.username)
    own = f"/plans/{CODE}/departments/{returned.department_id}/"
    visit_fitting(page, base, ["/reports/", f"/reports/{returned.pk}/", targets, indicator, own, "/supervision/"])


def test_a_wide_table_s_region_is_reached_by_tab_and_scrolled_by_the_arrow_keys(live_server, page, live_plan):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/plans/{CODE}/targets/")
    fits(page)
    region = page.get_by_role("region", name="目标")  # named for a screen reader, as the landmark it is
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # the table is wider than the phone: it scrolls

    tab_until(page, lambda f: f["tag"] == "DIV")  # every stop on the way, the region included, shows its focus
    assert page.evaluate(f"document.activeElement.matches('{REGION}')")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft >= 100")
    assert page.evaluate("window.scrollX") == 0
    fits(page)
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => document.activeElement.scrollLeft === 0")
    assert focus(page)["shown"]


def test_a_table_that_fits_is_no_tab_stop_and_a_laptop_keeps_the_page_s_sticky_header(live_server, page, live_plan):
    """From 1280 px the tables fit: the region does not scroll, is skipped by Tab, and the header row stays sticky on
    the page as before (a scroll container would hold it)."""
    page.goto(f"{live_server.url}/plans/{CODE}/targets/")
    region = page.locator(REGION)
    assert region.evaluate("r => [getComputedStyle(r).overflowX, r.getAttribute('tabindex')]") == ["visible", None]
    page.mouse.wheel(0, 3000)
    page.wait_for_function("() => window.scrollY > 1000")
    assert abs(page.locator(".table.targets thead th").first.evaluate("th => th.getBoundingClientRect().top")) < 1
