"""The office's overview in Chromium: charts drawn, drill-down and back, the quarter filter; units kept out."""

import re

import pytest
from django.utils import timezone

from tasks import demo
from tasks.models import QuarterlyReport, ReportingPeriod, ReportStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EARLIER = (2025, 2)  # a history quarter: every unit submitted it, unlike the demo's current quarter


def log_in(page, base, username, password=demo.DEMO_PASSWORD):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(f"{base}/reports/")


def wait_for_charts(page):
    """Plotly has drawn: an SVG in each container, bars in the area chart, the heatmap's image."""
    page.wait_for_selector("#chart-areas svg.main-svg")
    page.wait_for_selector("#chart-heatmap svg.main-svg")
    page.wait_for_function("document.querySelectorAll('#chart-areas .trace.bars path').length > 0")
    page.wait_for_function("document.querySelectorAll('#chart-heatmap .heatmaplayer .hm').length > 0")


def test_office_reads_the_overview_drills_down_and_changes_the_quarter(live_server, page, demo_plan, screenshot):
    base = live_server.url
    overview = f"{base}/plans/{demo_plan.code}/overview/"
    log_in(page, base, "demo-office")

    page.goto(overview)
    wait_for_charts(page)
    assert page.locator("#chart-areas .trace.bars path").count() > 0
    assert page.locator("#chart-heatmap .heatmaplayer .hm").count() > 0
    assert page.locator("nav.area-links a").count() == demo_plan.areas.count()
    screenshot("dashboard-overview")

    # area → task → target, then back
    area_link = page.locator("nav.area-links a").first
    area_title = area_link.inner_text()
    area_link.click()
    page.wait_for_url(re.compile(r"/areas/\d+/$"))
    area_url = page.url
    assert area_title in page.locator("h1").inner_text()
    page.wait_for_selector("#chart-area svg.main-svg")

    task_link = page.locator("table.targets tbody a[href*='/tasks/']").first
    task_link.click()
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    task_url = page.url
    task_title = page.locator("h1").inner_text()
    assert task_title

    indicator_link = page.locator("table.targets tbody a[href*='/indicators/']").first
    indicator_name = indicator_link.inner_text()
    indicator_link.click()
    page.wait_for_url(re.compile(r"/indicators/\d+/$"))
    assert page.locator("h1").inner_text() == indicator_name
    screenshot("dashboard-indicator")

    page.go_back()
    assert page.url == task_url
    assert page.locator("h1").inner_text() == task_title
    page.go_back()
    assert page.url == area_url
    assert area_title in page.locator("h1").inner_text()

    # the quarter filter: an earlier quarter shows other figures
    page.goto(overview)
    wait_for_charts(page)
    latest = {
        "as_of": page.locator("select[name=period] option:checked").inner_text(),
        "submitted": page.locator("#reports-submitted").inner_text(),
        "heatmap": page.locator("#heatmap-figure").text_content(),
    }
    earlier = ReportingPeriod.objects.get(year=EARLIER[0], quarter=EARLIER[1])
    page.select_option("#overview-filters select[name=period]", str(earlier.pk))
    page.click("#overview-filters button[type=submit]")
    page.wait_for_url(re.compile(rf"\?period={earlier.pk}(&|$)"))
    wait_for_charts(page)
    assert page.locator("select[name=period] option:checked").inner_text() != latest["as_of"]
    assert page.locator("#reports-submitted").inner_text() != latest["submitted"]
    submitted = QuarterlyReport.objects.filter(plan=demo_plan, period=earlier, submitted_at__isnull=False).count()
    assert page.locator("#reports-submitted").inner_text() == str(submitted)
    assert page.locator("#heatmap-figure").text_content() != latest["heatmap"]
    screenshot("dashboard-overview-earlier-quarter")


def test_a_unit_cannot_open_the_overview_nor_review_reports(live_server, page, demo_plan, screenshot):
    base = live_server.url
    year, quarter = demo.current_quarter(timezone.localdate())
    current = ReportingPeriod.objects.get(year=year, quarter=quarter)
    submitted = list(
        QuarterlyReport.objects.filter(plan=demo_plan, period=current, status=ReportStatus.SUBMITTED)
        .select_related("department")
        .order_by("pk")
    )
    assert len({r.department_id for r in submitted}) >= 2, "the demo's current quarter needs two submitted reports"
    own, other = submitted[0], next(r for r in submitted if r.department_id != submitted[0].department_id)
    reporter = own.department.members.filter(role="reporter").select_related("user").first().user
    assert reporter.username.startswith("dept")
    log_in(page, base, reporter.username)

    assert page.locator(f"a[href='/plans/{demo_plan.code}/overview/']").count() == 0
    response = page.goto(f"{base}/plans/{demo_plan.code}/overview/")
    assert response.status == 403
    assert page.locator("#chart-areas").count() == 0
    screenshot("dashboard-unit-forbidden")

    assert page.goto(f"{base}/reports/{other.pk}/").status == 404

    assert page.goto(f"{base}/reports/{own.pk}/").status == 200
    assert own.department.name in page.inner_text("body")
    assert page.locator("#review").count() == 0
    assert page.get_by_role("button", name="审核通过").count() == 0
    assert page.get_by_role("button", name="退回并附意见").count() == 0

    # posting the action anyway is refused, and the report stays submitted
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        f"{base}/reports/{own.pk}/approve/", form={"csrfmiddlewaretoken": token}, max_redirects=0
    )
    assert refused.status == 403
    own.refresh_from_db()
    assert own.status == ReportStatus.SUBMITTED

    # the office, on the same page, does get both actions
    page.click("header form.inline button")
    log_in(page, base, "demo-office")
    page.goto(f"{base}/reports/{own.pk}/")
    assert page.get_by_role("button", name="审核通过").count() == 1
    assert page.get_by_role("button", name="退回并附意见").count() == 1
