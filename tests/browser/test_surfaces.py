"""What a new user meets around the pages: the API's documentation, a Chinese 404, the PDF made in the background."""

import threading

import pytest

from evaluation import document
from evaluation.models import ReportFile

from .test_dashboard import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_shows_its_operations_under_the_csp(live_server, page):
    """Swagger UI draws every operation from the local schema; the page fixture fails on any CSP violation."""
    page.set_default_timeout(60_000)  # two megabytes of Swagger UI from the test server, on a shared machine
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert len(paths) > 20
    assert "/api/v1/plans/" in [p.strip() for p in paths]
    assert "宁河区碳达峰实施方案进展跟踪 API" in page.inner_text(".info .title")


def test_redoc_shows_the_operations_without_a_csp_violation(live_server, page):
    """The page fixture fails on any CSP violation: ReDoc's bundle no longer asks a CDN for its maker's logo."""
    page.set_default_timeout(60_000)
    page.goto(f"{live_server.url}/api/v1/redoc/")
    page.wait_for_selector("[data-section-id^='operation/']", state="attached")
    operations = page.locator("[data-section-id^='operation/']").count()
    assert operations > 20
    assert page.locator("img[src*='cdn.redoc.ly'], img[alt='redocly logo']").count() == 0
    assert "宁河区碳达峰实施方案进展跟踪 API" in page.inner_text("h1")


def test_the_browsable_api_keeps_its_styles_under_its_own_csp(live_server, page, axe_audit, demo_plan):
    """DRF's pages write inline styles; theirs is the only policy that allows them, and only for styles.

    The page fixture fails on any CSP violation. axe-core is not run here: the markup is DRF's own template (no lang
    on <html>, an icon-only format button), like the interactive documentation that conftest.NOT_AUDITED leaves out.
    """
    axe_audit.page = None
    log_in(page, live_server.url, "demo-office")
    for path in ("/api/v1/", "/api/v1/reports/"):
        response = page.goto(f"{live_server.url}{path}")
        policy = response.headers["content-security-policy"]
        assert "style-src 'self' 'unsafe-inline';" in policy and "script-src 'self';" in policy
        assert page.locator(".response-info").is_visible()
    # the inline styles apply: the filters button floats right of the page's heading
    assert page.locator("button[data-target='#filtersModal']").evaluate("e => getComputedStyle(e).float") == "right"
    json = page.request.get(f"{live_server.url}/api/v1/reports/", headers={"Accept": "application/json"})
    assert json.ok and "unsafe-inline" not in json.headers["content-security-policy"]


def test_an_unknown_address_shows_the_chinese_404_page_without_debug_output(live_server, page, live_plan):
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    text = page.inner_text("body")
    assert "页面不存在" in text and "返回" in text
    assert "URLconf" not in text and "Traceback" not in text


def test_generating_the_pdf_does_not_hold_the_request(live_server, page, demo_plan, tmp_path, settings, monkeypatch):
    """Without a broker the job runs on a thread: the page comes back while it runs, shows progress, then the file.

    The layout step waits for the test's signal, so a request that waited for the job would never come back.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOBS_IN_THREADS = True
    release = threading.Event()
    layout = document.layout

    def held_layout(*args, **kwargs):
        assert release.wait(timeout=120)
        return layout(*args, **kwargs)

    monkeypatch.setattr(document, "layout", held_layout)
    log_in(page, live_server.url, "demo-office")
    page.goto(f"{live_server.url}/evaluation/{demo_plan.code}/2025/")
    try:
        page.get_by_role("button", name="生成年度评估报告").click()
        page.wait_for_selector("[data-file-state=queued], [data-file-state=running]", timeout=15_000)
        row = page.locator("[data-file-status]").first
        row.locator(".file-state:has-text('正在排版')").wait_for(timeout=60_000)  # the poll shows the job's step
        assert ReportFile.objects.get().state == "running"
    finally:
        release.set()
    page.get_by_role("link", name="下载 PDF").wait_for(timeout=120_000)
    file = ReportFile.objects.get()
    assert (file.state, file.pages > 20) == ("done", True), file.error
