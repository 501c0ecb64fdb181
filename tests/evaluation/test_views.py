"""The evaluation pages: who may see and change what, the office's edits kept in history, the assessment."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from evaluation import services
from evaluation.models import EvaluationChange, ReportFile
from tasks.selectors import reporting_departments

pytestmark = pytest.mark.django_db


def _user(name):
    return get_user_model().objects.get(username=name)


def _url(name, plan, year=2025):
    return reverse(f"evaluation:{name}", args=[plan.code, year])


@pytest.mark.parametrize(
    ("username", "detail", "assessment"),
    [("demo-office", 200, 200), ("demo-viewer", 200, 200), ("dept01", 403, 200), ("demo-admin", 200, 200)],
)
def test_who_may_read(demo_plan, client, username, detail, assessment):
    client.force_login(_user(username))
    assert client.get(_url("detail", demo_plan)).status_code == detail
    assert client.get(_url("assessment", demo_plan)).status_code == assessment
    assert client.get(_url("preview", demo_plan)).status_code == detail


def test_the_preview_links_back_to_the_evaluation_page(demo_plan, client, demo_office):
    client.force_login(demo_office)
    html = client.get(_url("preview", demo_plan)).content.decode()
    assert f'href="{_url("detail", demo_plan)}"' in html and "返回年度评估" in html


def test_anonymous_is_sent_to_log_in_and_a_year_without_results_is_404(demo_plan, client, demo_office):
    response = client.get(_url("detail", demo_plan))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(demo_office)
    assert client.get(_url("detail", demo_plan, 2019)).status_code == 404
    assert client.get(reverse("evaluation:home", args=[demo_plan.code])).status_code == 302


def test_only_the_office_changes_the_evaluation(demo_plan, client):
    client.force_login(_user("demo-viewer"))
    page = client.get(_url("detail", demo_plan)).content.decode()
    assert "生成年度评估报告" not in page
    for name in ("generate", "finalize", "save"):
        assert client.post(_url(name, demo_plan), {"version": 1}).status_code == 403
    assert not ReportFile.objects.exists()


FORM = {
    "introduction": "第一稿",
    "conclusions": "",
    "version": 1,
    "weight_timeliness": 30,
    "weight_tasks": 40,
    "weight_targets": 30,
    "late_credit": 60,
    "band_excellent": 90,
    "band_good": 80,
    "band_pass": 60,
}


def test_office_texts_are_saved_with_history_and_a_stale_form_keeps_the_typed_text(demo_plan, client, demo_office):
    client.force_login(demo_office)
    form = dict(FORM)
    assert client.post(_url("save", demo_plan), form).status_code == 302
    change = EvaluationChange.objects.get(field="introduction")
    assert (change.before, change.after, change.changed_by) == ("", "第一稿", demo_office)

    stale = client.post(_url("save", demo_plan), {**form, "introduction": "另一位同事的稿子"})
    assert stale.status_code == 200
    page = stale.content.decode()
    assert "另一位同事的稿子" in page and "同事" in page
    assert services.evaluation_for(demo_plan, 2025).introduction == "第一稿"

    bad = client.post(_url("save", demo_plan), {**form, "version": 2, "band_good": 95})
    assert "优秀 ≥ 良好 ≥ 合格" in bad.content.decode()
    history = client.get(_url("detail", demo_plan)).content.decode()
    assert "导语" in history and "第一稿" in history  # the field's name in Chinese, not "introduction"


def test_a_final_evaluation_refuses_edits_until_reopened_with_a_reason(demo_plan, client, demo_office):
    client.force_login(demo_office)
    stale = client.post(_url("finalize", demo_plan), {"version": 0}, follow=True)
    assert "有同事修改了" in stale.content.decode() and not services.evaluation_for(demo_plan, 2025).is_final
    client.post(_url("finalize", demo_plan), {"version": services.evaluation_for(demo_plan, 2025).version})
    evaluation = services.evaluation_for(demo_plan, 2025)
    assert evaluation.is_final and evaluation.snapshot["year"] == 2025
    response = client.post(
        _url("save", demo_plan), {**FORM, "introduction": "改", "version": evaluation.version}, follow=True
    )
    assert "已定稿，不能修改" in response.content.decode()
    assert services.evaluation_for(demo_plan, 2025).introduction == ""
    no_reason = client.post(_url("reopen", demo_plan), {"reason": ""})
    assert "必填项" in no_reason.content.decode()
    client.post(_url("reopen", demo_plan), {"reason": "市里要求补充"})
    assert not services.evaluation_for(demo_plan, 2025).is_final
    assert EvaluationChange.objects.filter(field="is_final", after__contains="市里要求补充").exists()
    assert "草稿：市里要求补充" in client.get(_url("detail", demo_plan)).content.decode()


def test_an_adjustment_needs_a_reason_changes_the_score_and_is_kept_in_history(demo_plan, client, demo_office):
    client.force_login(demo_office)
    department = reporting_departments(demo_plan).first()
    refused = client.post(_url("adjust", demo_plan), {"department": department.pk, "points": "5", "reason": " "})
    assert "必填项" in refused.content.decode()

    before = {r["department_id"]: r for r in client.get(_url("assessment", demo_plan)).context["rows"]}[department.pk]
    client.post(
        _url("adjust", demo_plan), {"department": department.pk, "points": "-5.5", "reason": "季度报告数据有误"}
    )
    after = {r["department_id"]: r for r in client.get(_url("assessment", demo_plan)).context["rows"]}[department.pk]
    assert after["total"] == pytest.approx(max(0, before["weighted"] - 5.5), abs=0.06)
    assert after["reason"] == "季度报告数据有误"
    client.post(_url("adjust", demo_plan), {"department": department.pk, "points": "2", "reason": "复核后改正"})
    history = EvaluationChange.objects.filter(field="adjustment", department=department).order_by("pk")
    assert [h.after for h in history] == ["-5.5 季度报告数据有误", "+2.0 复核后改正"]
    assert history[1].before == "-5.5 季度报告数据有误"


def test_a_unit_sees_only_its_own_score_and_adjustments(demo_plan, client, demo_office):
    user = _user("dept01")
    evaluation = services.evaluation_for(demo_plan, 2025)
    others = reporting_departments(demo_plan).exclude(pk=user.membership.department_id)
    services.set_adjustment(evaluation, by=demo_office, department=others[0], points=3, reason="别的单位的理由")
    services.set_adjustment(
        evaluation, by=demo_office, department=user.membership.department, points=1, reason="本单位理由"
    )
    client.force_login(user)
    response = client.get(_url("assessment", demo_plan))
    rows, page = response.context["rows"], response.content.decode()
    assert [r["department_id"] for r in rows] == [user.membership.department_id]
    assert "本单位理由" in page and "别的单位的理由" not in page and others[0].name not in page
    assert (
        client.post(
            _url("adjust", demo_plan), {"department": rows[0]["department_id"], "points": "9", "reason": "自评"}
        ).status_code
        == 403
    )


def test_generating_lists_the_file_and_reports_its_progress(
    demo_plan, client, demo_office, django_capture_on_commit_callbacks
):
    client.force_login(demo_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("generate", demo_plan))
    file = ReportFile.objects.get()
    assert response["Location"].endswith(f"#file-{file.pk}")
    status = client.get(reverse("evaluation:file-status", args=[file.pk])).json()
    assert status["state"] == "done" and status["progress"] == 100 and status["pages"] > 10
    download = client.get(reverse("evaluation:file-download", args=[file.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(_user("dept01"))
    assert client.get(reverse("evaluation:file-download", args=[file.pk])).status_code == 403


def test_a_file_left_running_by_a_restart_of_the_web_process_is_failed_on_the_page_and_made_again(
    demo_plan, client, demo_office, django_capture_on_commit_callbacks, monkeypatch
):
    """No broker, no beat: the job ran on a thread of a web process that was restarted. Its row says so once its
    heartbeat has been silent for minutes; a job this process still holds, or a recent one, keeps running."""
    from ninghe_carbon import background

    evaluation = services.evaluation_for(demo_plan, 2025)
    now = dt.datetime.now(dt.UTC)
    running = dict(evaluation=evaluation, requested_by=demo_office, state=ReportFile.State.RUNNING, progress=45)
    orphan = ReportFile.objects.create(**running, heartbeat_at=now - dt.timedelta(minutes=4))
    held_here = ReportFile.objects.create(**running, heartbeat_at=now - dt.timedelta(minutes=4))
    recent = ReportFile.objects.create(**running, heartbeat_at=now - dt.timedelta(minutes=1))
    lost_in_queue = ReportFile.objects.create(evaluation=evaluation, requested_by=demo_office)
    ReportFile.objects.filter(pk=lost_in_queue.pk).update(requested_at=now - dt.timedelta(minutes=10))
    live = background.is_live
    monkeypatch.setattr(background, "is_live", lambda task, pk: pk == held_here.pk or live(task, pk))
    client.force_login(demo_office)

    status = client.get(reverse("evaluation:file-status", args=[orphan.pk])).json()

    assert status["state"] == "failed" and "网站服务重启" in status["step"] and "重新生成" in status["step"]
    states = dict(ReportFile.objects.values_list("pk", "state"))
    assert states == {orphan.pk: "failed", held_here.pk: "running", recent.pk: "running", lost_in_queue.pk: "failed"}
    page = client.get(_url("detail", demo_plan)).content.decode()
    assert page.count("网站服务重启") == 2 and 'id="generate"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("generate", demo_plan))
    assert ReportFile.objects.latest("pk").state == "done"


def test_with_a_broker_the_page_leaves_silent_rows_to_the_worker_and_beat(demo_plan, client, demo_office, monkeypatch):
    from ninghe_carbon.celery import app

    evaluation = services.evaluation_for(demo_plan, 2025)
    silent = ReportFile.objects.create(
        evaluation=evaluation,
        requested_by=demo_office,
        state=ReportFile.State.RUNNING,
        heartbeat_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=4),
    )
    client.force_login(demo_office)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    assert client.get(reverse("evaluation:file-status", args=[silent.pk])).json()["state"] == "running"


@pytest.mark.parametrize(
    ("today", "year"),
    [
        # 2026 Q4 is open and already has results, but it is not due until 2027-01-10: 2025 is the last whole year.
        ("2026-12-03", 2025),
        ("2027-01-10", 2025),
        ("2027-01-11", 2026),
    ],
)
def test_a_unit_reaches_the_assessment_of_the_last_year_reported_in_full(demo_plan, client, today, year):
    link = reverse("evaluation:latest-assessment", args=[demo_plan.code])
    with time_machine.travel(dt.datetime.fromisoformat(f"{today}T09:00:00+08:00"), tick=False):
        client.force_login(_user("dept01"))
        home = client.get(reverse("tasks:home")).content.decode()
        assert link in home and "本单位年度考核" in home
        assert client.get(link)["Location"] == _url("assessment", demo_plan, year)
        client.force_login(_user("demo-office"))
        evaluation_home = reverse("evaluation:home", args=[demo_plan.code])
        assert client.get(evaluation_home)["Location"] == _url("detail", demo_plan, year)


def test_office_actions_on_the_evaluation_are_logged(demo_plan, demo_office, caplog):
    evaluation = services.evaluation_for(demo_plan, 2025)
    with caplog.at_level("INFO", logger="ninghe.workflow"):
        services.update_evaluation(evaluation, by=demo_office, version=1, conclusions="结论")
        services.finalize(evaluation, by=demo_office, today=demo_plan.issued_on)
    actions = [(r.getMessage(), r.user, r.year) for r in caplog.records if r.name == "ninghe.workflow"]
    assert actions == [("evaluation.update", "demo-office", 2025), ("evaluation.finalize", "demo-office", 2025)]
