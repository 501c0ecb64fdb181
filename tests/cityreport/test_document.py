"""The report to the city as a PDF, read back with pdftotext: its sections, a problem marked 需市级协调 with the
reason, a supervision notice and the unit's answer, the lagging targets in the engine's words, 演示 when demo."""

import datetime as dt
import subprocess
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cityreport import services
from cityreport.models import CityReportFile
from results.models import TargetResult
from supervision import services as supervision
from supervision.selectors import major_problem_subject
from tasks.models import ReportStatus, TaskUpdate

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "city.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # pdftotext breaks lines inside table cells


def _generate(client, plan, scope: str, on_commit) -> bytes:
    with on_commit(execute=True):
        response = client.post(reverse("cityreport:generate", args=[plan.code, scope]))
    assert response.status_code == 302
    file = CityReportFile.objects.latest("pk")
    assert file.state == CityReportFile.State.DONE, file.error
    download = client.get(reverse("cityreport:file-download", args=[file.pk]))
    assert download["Content-Type"] == "application/pdf"
    return b"".join(download.streaming_content)


@pytest.fixture
def demo_city(demo_plan, demo_office):
    """A major problem in a sent demo report of 2026 Q2, marked 需市级协调, with a notice its unit answered."""
    today = timezone.localdate()
    problem = (
        TaskUpdate.objects.filter(
            report__plan=demo_plan,
            report__period__year=2026,
            report__period__quarter=2,
            report__status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED],
        )
        .select_related("report__department")
        .first()
    )
    TaskUpdate.objects.filter(pk=problem.pk).update(major_problem=True, problems="电网接入工程滞后，影响项目投产。")
    problem.refresh_from_db()
    services.mark_escalation(problem, by=demo_office, reason="跨区输电通道需市级统筹")
    notice = supervision.open_notice(
        subject=major_problem_subject(problem),
        by=demo_office,
        requirement="请说明资金到位计划。",
        deadline=today + dt.timedelta(days=14),
        today=today,
    )
    member = get_user_model().objects.filter(membership__department=problem.report.department).first()
    supervision.answer_notice(
        notice=notice, by=member, measures="已协调区财政局拨付首批资金。", planned_completion=today + dt.timedelta(30)
    )
    client = Client()
    client.force_login(demo_office)
    return {"problem": problem, "notice": notice, "client": client}


def test_the_quarter_s_report_to_the_city_reads_back_with_its_sections(
    demo_plan, demo_city, tmp_path, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    text = _text(_generate(demo_city["client"], demo_plan, "2026-q2", django_capture_on_commit_callbacks), tmp_path)
    print(f"generate + download: {time.monotonic() - started:.2f} s")

    for heading in (
        "关于2026年第2季度碳达峰工作进展和重大问题的报告",
        "市碳达峰碳中和工作领导小组",
        "一、方案总体进展",
        "二、各单位报告的重大问题",
        "三、需市级协调的问题",
        "四、督办及整改情况",
        "五、调度会议定事项",
        "六、下一步工作及请求事项",
        "草稿",
        "演示数据",
    ):
        assert heading in text, heading
    assert "电网接入工程滞后，影响项目投产。" in text
    assert "跨区输电通道需市级统筹" in text  # the mark's reason, in its own section
    assert demo_city["notice"].display_number in text
    assert "已协调区财政局拨付首批资金。" in text  # the unit's answer
    lagging = TargetResult.objects.filter(
        period__year=2026, period__quarter=2, status__in=["off_track", "at_risk", "missed_by_date"]
    ).select_related("target__indicator")
    assert lagging.exists()
    for result in lagging:
        assert result.target.indicator.name in text


def test_a_year_report_is_final_when_made_final_and_not_demo_without_demo_data(
    plan, city, office_user, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.DEMO_MODE = False
    client = Client()
    client.force_login(office_user)
    report = services.report_for(plan, 2026, None)
    services.mark_escalation(city["q2_problem"], by=office_user, reason="并网指标需市里协调")
    services.finalize(report, by=office_user, today=timezone.localdate(), version=report.version)

    text = _text(_generate(client, plan, "2026", django_capture_on_commit_callbacks), tmp_path)

    assert "关于2026年度碳达峰工作进展和重大问题的报告" in text
    assert "定稿" in text and "草稿" not in text
    assert "演示" not in text
    assert "并网指标需市里协调" in text and "光伏项目并网容量受限。" in text
    assert "已向区规划资源局申请调整用地。" in text  # the Q1 notice's answer
    assert city["decision"].notice.display_number in text and "区规划资源局牵头研究造林用地" in text


def test_a_page_of_the_pdf_renders(demo_plan, demo_city, tmp_path, django_capture_on_commit_callbacks):
    (tmp_path / "city.pdf").write_bytes(
        _generate(demo_city["client"], demo_plan, "2026-q2", django_capture_on_commit_callbacks)
    )
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", str(tmp_path / "city.pdf"), str(tmp_path / "p")],
        check=True,
    )
    pages = list(tmp_path.glob("p*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 10_000
    import shutil

    shutil.copy(pages[0], "/tmp/city-report-page2.png")


def test_every_class_of_the_report_to_the_city_is_typeset_and_every_character_printed(demo_plan, demo_city, tmp_path):
    from collections import Counter

    from cityreport import document
    from evaluation import typeset
    from evaluation.document import stamp

    content = services.current_content(services.report_for(demo_plan, 2026, 2), today=timezone.localdate())
    html = document.render_html(content, final=False, for_pdf=True)
    translation = typeset.translate(
        html, stamp=stamp(content, final=False), page_pattern="第 {page} 页 / 共 {pages} 页"
    )
    assert not translation.unknown
    path = tmp_path / "city.pdf"
    path.write_bytes(typeset.compile_pdf(translation.source).pdf)
    printed = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    written = typeset.parse(html.split("<body>", 1)[1]).text()
    assert not Counter("".join(written.split())) - Counter("".join(printed.split()))
