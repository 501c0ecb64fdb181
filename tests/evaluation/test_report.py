"""The annual evaluation PDF, generated from the demo's approved history, read back with poppler's tools."""

import re
import subprocess

import pytest
from PIL import Image

from evaluation import services
from evaluation.models import ReportFile
from indicators.models import Target
from results.models import TargetResult
from targets.models import Area
from tests.factories import update_target_results

pytestmark = pytest.mark.django_db


def _generate(evaluation, user, capture) -> ReportFile:
    with capture(execute=True):  # the job is queued on commit and runs in-process (eager) in tests
        file = services.request_pdf(evaluation, by=user)
    file.refresh_from_db()
    assert file.state == ReportFile.State.DONE, file.error
    return file


def _squeeze(text: str) -> str:
    """pdftotext breaks lines inside table cells; compare without any whitespace."""
    return re.sub(r"\s+", "", text)


def test_the_pdf_holds_the_plan_every_area_and_every_target_in_an_embedded_cjk_font(
    demo_plan, demo_office, django_capture_on_commit_callbacks, tmp_path
):
    evaluation = services.evaluation_for(demo_plan, 2025)
    services.update_evaluation(evaluation, by=demo_office, version=1, introduction="本年度全区碳达峰工作稳步推进。")
    file = _generate(evaluation, demo_office, django_capture_on_commit_callbacks)
    path = file.file.path
    assert file.pages > 10 and file.progress == 100

    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout  # reading order
    flat = _squeeze(text)
    assert _squeeze(demo_plan.title) in flat
    assert "2025年度评估报告" in flat and "草稿" in flat and "演示数据" in flat
    assert "本年度全区碳达峰工作稳步推进。" in flat
    for title in Area.objects.filter(plan=demo_plan).values_list("title", flat=True):
        assert _squeeze(title) in flat, title
    names = set(Target.objects.filter(indicator__plan=demo_plan).values_list("indicator__name", flat=True))
    missing = [name for name in names if _squeeze(name) not in flat]
    assert not missing
    assert re.search(rf"第\s*3\s*页\s*/\s*共\s*{file.pages}\s*页", text)  # the footer of page 3

    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column

    subprocess.run(["pdftoppm", "-png", "-r", "20", path, str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == file.pages
    for page in pages:
        grey = Image.open(page).convert("L")
        inked = sum(grey.histogram()[:200]) / (grey.width * grey.height)
        assert inked > 0.002, f"{page.name} is blank"


def test_a_final_report_regenerates_byte_for_byte_whatever_changes_later(
    demo_plan, demo_office, django_capture_on_commit_callbacks
):
    evaluation = services.evaluation_for(demo_plan, 2025)
    services.update_evaluation(evaluation, by=demo_office, version=1, conclusions="明年重点推进光伏项目。")
    evaluation = services.finalize(evaluation, by=demo_office, today=evaluation.plan.issued_on.replace(year=2026))
    first = _generate(evaluation, demo_office, django_capture_on_commit_callbacks)

    # Later approvals and recomputes change the live results of 2025 …
    update_target_results(TargetResult.objects.filter(period__year=2025, period__quarter=4), status="achieved")
    second = _generate(evaluation, demo_office, django_capture_on_commit_callbacks)
    assert first.from_final and second.from_final
    assert first.file.read() == second.file.read()

    # … which a draft would show: the frozen snapshot is what kept the final one identical.
    draft = services.reopen(evaluation, by=demo_office, reason="补充数据")
    third = _generate(draft, demo_office, django_capture_on_commit_callbacks)
    achieved = [_text(f.file.path).count("已达标：") for f in (first, third)]
    assert achieved[1] > achieved[0]  # the achievements list grew in the live draft, not in the frozen final


def _text(path) -> str:
    return subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout


def test_a_final_file_whose_evaluation_was_reopened_before_the_job_ran_fails_instead_of_stamping_a_draft(
    demo_plan, demo_office
):
    evaluation = services.finalize(services.evaluation_for(demo_plan, 2025), by=demo_office, today=demo_plan.issued_on)
    file = ReportFile.objects.create(evaluation=evaluation, requested_by=demo_office, from_final=True)
    services.reopen(evaluation, by=demo_office, reason="补充")
    file = services.generate_pdf(file.pk)
    assert file.state == ReportFile.State.FAILED and "撤销定稿" in file.error and not file.file


def test_a_storage_failure_ends_the_row_failed_and_dead_jobs_expire(demo_plan, demo_office, monkeypatch):
    import datetime as dt

    from django.core.files.storage import FileSystemStorage
    from django.utils import timezone

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    evaluation = services.evaluation_for(demo_plan, 2025)
    file = ReportFile.objects.create(evaluation=evaluation, requested_by=demo_office)
    file = services.generate_pdf(file.pk)
    assert file.state == ReportFile.State.FAILED and "No space left" in file.error

    dead = ReportFile.objects.create(evaluation=evaluation, requested_by=demo_office, state=ReportFile.State.RUNNING)
    fresh = ReportFile.objects.create(evaluation=evaluation, requested_by=demo_office)
    ReportFile.objects.filter(pk=dead.pk).update(requested_at=timezone.now() - dt.timedelta(hours=1))
    assert services.expire_stale_files() == 1
    assert (
        ReportFile.objects.get(pk=dead.pk).state == "failed" and ReportFile.objects.get(pk=fresh.pk).state == "queued"
    )


def test_a_failed_render_is_recorded_on_the_row_not_raised(demo_plan, demo_office, monkeypatch):
    from evaluation import document

    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(document, "render_pdf", broken)
    evaluation = services.evaluation_for(demo_plan, 2025)
    file = ReportFile.objects.create(evaluation=evaluation, requested_by=demo_office)
    file = services.generate_pdf(file.pk)
    assert file.state == ReportFile.State.FAILED and "font missing" in file.error and not file.file


# --- a job whose worker dies (issue 17) ---------------------------------------------------------------------


def test_a_running_file_whose_heartbeat_stops_is_failed_within_minutes_with_the_reason(demo_plan, demo_office):
    import datetime as dt

    from django.utils import timezone

    evaluation = services.evaluation_for(demo_plan, 2025)
    now = timezone.now()
    running = dict(evaluation=evaluation, requested_by=demo_office, state=ReportFile.State.RUNNING, progress=45)
    dead = ReportFile.objects.create(**running, heartbeat_at=now - dt.timedelta(minutes=4))
    alive = ReportFile.objects.create(**running, heartbeat_at=now - dt.timedelta(minutes=1))
    waiting = ReportFile.objects.create(evaluation=evaluation, requested_by=demo_office)
    ReportFile.objects.filter(pk=waiting.pk).update(requested_at=now - dt.timedelta(minutes=10))

    assert services.expire_stale_files(now=now) == 1

    dead.refresh_from_db()
    assert dead.state == "failed" and dead.finished_at == now
    assert "重新生成" in dead.error and dead.step == services.INTERRUPTED
    assert ReportFile.objects.get(pk=alive.pk).state == "running"
    assert ReportFile.objects.get(pk=waiting.pk).state == "queued"


def test_a_job_delivered_again_after_its_worker_died_finishes_the_file(demo_plan, demo_office, monkeypatch):
    from evaluation import document

    monkeypatch.setattr(document, "render_pdf", lambda snapshot, final, progress: (b"%PDF-1.4 test", 1))
    evaluation = services.evaluation_for(demo_plan, 2025)
    file = ReportFile.objects.create(
        evaluation=evaluation, requested_by=demo_office, state=ReportFile.State.FAILED, attempts=1, progress=45
    )
    file = services.generate_pdf(file.pk)
    assert (file.state, file.attempts, file.progress) == ("done", 2, 100)
    assert file.heartbeat_at is not None


def test_a_file_that_keeps_killing_its_worker_is_given_up_with_a_message(demo_plan, demo_office):
    evaluation = services.evaluation_for(demo_plan, 2025)
    file = ReportFile.objects.create(
        evaluation=evaluation, requested_by=demo_office, state=ReportFile.State.RUNNING, attempts=3
    )
    file = services.generate_pdf(file.pk)
    assert file.state == "failed" and "3" in file.error and file.attempts == 4


def test_jobs_are_acknowledged_late_and_redelivered_within_minutes(settings):
    from ninghe_carbon.celery import app

    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options["visibility_timeout"] <= 600
    assert settings.CELERY_BEAT_SCHEDULE["expire-stale-report-files"]["schedule"] <= 60
