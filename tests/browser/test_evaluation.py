"""The office generates the annual evaluation report in Chromium, watches its progress and downloads the PDF."""

import subprocess

import pytest
from django.contrib.auth import get_user_model

from evaluation import services
from evaluation.models import ReportFile

from .test_dashboard import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_generates_the_report_and_downloads_the_pdf(
    live_server, page, demo_plan, tmp_path, settings, screenshot
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    log_in(page, base, "demo-office")
    page.get_by_role("link", name="年度评估").click()
    page.wait_for_selector("h1:has-text('年度评估报告')")
    year = page.url.rstrip("/").rsplit("/", 1)[-1]

    page.set_default_timeout(120_000)  # the job runs in the request here (eager Celery): a few seconds
    page.get_by_role("button", name="生成年度评估报告").click()
    page.wait_for_selector("[data-file-state=done], [data-file-state=failed]")
    file = ReportFile.objects.get()
    assert file.state == "done", (file.state, file.error)
    link = page.get_by_role("link", name="下载 PDF").first
    assert "正在生成年度评估报告" in page.inner_text(".messages")
    screenshot("evaluation-generated")
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert demo_plan.title in text and f"{year}年度评估报告" in text


def test_the_page_shows_a_running_job_s_progress_and_then_the_file(live_server, page, demo_plan, tmp_path, settings):
    """The file row polls its status: a step of the job appears while it runs, then the download link."""
    settings.MEDIA_ROOT = tmp_path / "media"
    evaluation = services.evaluation_for(demo_plan, 2025)
    office = get_user_model().objects.get(username="demo-office")
    file = ReportFile.objects.create(evaluation=evaluation, requested_by=office)
    log_in(page, live_server.url, "demo-office")
    page.goto(f"{live_server.url}/evaluation/{demo_plan.code}/2025/")
    assert "排队中" in page.inner_text(f"#file-{file.pk}")

    polls = []
    page.on("response", lambda r: polls.append(r.status) if "/status/" in r.url else None)
    services.generate_pdf(file.pk)  # what the Celery worker does; the page polls meanwhile
    page.get_by_role("link", name="下载 PDF").wait_for(timeout=30_000)
    assert len(polls) >= 2 and set(polls) == {200}  # it asked while the job ran, and once more when done
    row = page.inner_text(f"#file-{file.pk}")
    assert "已生成" in row and "页" in row
