"""The notice pages: opening from a link, the list by role, the detail's forms, each action through the page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Target
from supervision.models import Notice, Status
from tests.files import one_page_pdf

pytestmark = pytest.mark.django_db


def test_office_opens_a_notice_from_a_task_link_with_the_lead_and_co_units_prefilled(
    office_client, forest_task, period
):
    url = reverse("supervision:notice-open") + f"?task={forest_task.pk}&period={period.pk}"
    page = office_client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["responsible"].name == "七里海管委会"
    data = {
        "title": form.initial["title"],
        "responsible": form.initial["responsible"].pk,
        "copied": [d.pk for d in form.initial["copied"]],
        "requirement": "请报送森林覆盖率提升措施。",
        "deadline": "2026-12-20",
        "level": "supervise",
    }
    answer = office_client.post(url, data)
    notice = Notice.objects.get()
    assert answer.status_code == 302 and answer["Location"] == notice.get_absolute_url()
    assert notice.task == forest_task and notice.period == period and notice.copied.count() == 4


def test_a_refused_opening_keeps_what_was_typed(office_client, forest_task):
    url = reverse("supervision:notice-open") + f"?task={forest_task.pk}"
    page = office_client.post(
        url, {"title": "t", "requirement": "我写的要求", "deadline": "2020-01-01", "level": "remind"}
    )
    assert page.status_code == 200 and not Notice.objects.exists()
    assert "我写的要求" in page.content.decode()


def test_opening_from_a_target_takes_its_figures(office_client, plan):
    target = Target.objects.filter(indicator__plan=plan, task__isnull=False).first()
    page = office_client.get(reverse("supervision:notice-open") + f"?target={target.pk}")
    assert page.status_code == 200
    assert page.context["subject"].target == target


def test_units_and_viewers_cannot_open(dept_a_client, viewer_client):
    for client in (dept_a_client, viewer_client):
        assert client.get(reverse("supervision:notice-open")).status_code == 403


def test_unit_sees_its_notice_on_its_home_and_list_others_get_404(notice, dept_a_client, dept_b_client):
    home = dept_a_client.get(reverse("tasks:home")).content.decode()
    assert notice.display_number in home and 'id="supervision-notices"' in home
    assert notice.display_number in dept_a_client.get(reverse("supervision:notice-list")).content.decode()
    assert notice.display_number not in dept_b_client.get(reverse("supervision:notice-list")).content.decode()
    assert dept_b_client.get(notice.get_absolute_url()).status_code == 404
    assert dept_b_client.post(reverse("supervision:notice-action", args=[notice.pk, "answer"])).status_code == 404


def test_unit_answers_with_evidence_through_the_page(notice, dept_a_client, office_client):
    url = reverse("supervision:notice-action", args=[notice.pk, "answer"])
    upload = SimpleUploadedFile("措施.pdf", one_page_pdf(), content_type="application/pdf")
    answer = dept_a_client.post(
        url, {"measures": "已完成造林200亩。", "planned_completion": "2027-03-31", "files": [upload]}
    )
    assert answer.status_code == 302
    notice.refresh_from_db()
    assert notice.status == Status.ANSWERED
    evidence = notice.steps.last().evidence.get()
    download = office_client.get(reverse("supervision:evidence-download", args=[evidence.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"


def test_a_refused_answer_keeps_the_text_and_saves_nothing(notice, dept_a_client):
    url = reverse("supervision:notice-action", args=[notice.pk, "answer"])
    page = dept_a_client.post(url, {"measures": "写了一半的措施", "planned_completion": ""})
    assert page.status_code == 400 and "写了一半的措施" in page.content.decode()
    notice.refresh_from_db()
    assert notice.status == Status.OPEN


def test_office_returns_and_closes_through_the_page(notice, dept_a_user, office_client):
    from supervision.services import answer_notice

    answer_notice(notice=notice, by=dept_a_user, measures="m", planned_completion=dt.date(2027, 1, 1))
    url = reverse("supervision:notice-action", args=[notice.pk, "return"])
    assert office_client.post(url, {"return-text": "不够具体"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == Status.RETURNED
    close = reverse("supervision:notice-action", args=[notice.pk, "close"])
    assert office_client.post(close, {"close-text": ""}).status_code == 400  # not answered: a reason is needed
    assert office_client.post(close, {"close-text": "已另行处理"}).status_code == 302
    notice.refresh_from_db()
    page = office_client.get(notice.get_absolute_url()).content.decode()
    assert notice.status == Status.CLOSED and 'id="office-actions"' not in page and 'id="answer"' not in page


def test_an_action_not_open_to_the_person_is_forbidden(notice, dept_a_client, viewer_client):
    assert dept_a_client.post(reverse("supervision:notice-action", args=[notice.pk, "close"])).status_code == 403
    assert viewer_client.get(notice.get_absolute_url()).status_code == 200
    assert viewer_client.post(reverse("supervision:notice-action", args=[notice.pk, "answer"])).status_code == 403


def test_overdue_notice_is_red_on_the_overview_the_unit_home_and_the_department_page(
    notice, office_client, dept_a_client, office_user, dept_a_user, plan
):
    import time_machine

    before = dept_a_client.get(reverse("tasks:home")).content.decode()
    assert notice.display_number in before and "overdue-row" not in before
    with time_machine.travel(dt.datetime.combine(notice.deadline + dt.timedelta(days=2), dt.time(2), tzinfo=dt.UTC)):
        office_client.force_login(office_user)  # the sessions of the morning have expired by then
        dept_a_client.force_login(dept_a_user)
        overview = office_client.get(reverse("dashboard:overview", args=[plan.code])).content.decode()
        home = dept_a_client.get(reverse("tasks:home")).content.decode()
        department = office_client.get(
            reverse("dashboard:department-detail", args=[plan.code, notice.responsible_id])
        ).content.decode()
    assert 'id="overdue-notices"' in overview and notice.display_number in overview
    for page in (home, department):
        assert "overdue-row" in page and notice.display_number in page


def test_the_report_page_lists_the_quarters_notices(notice, report_a, dept_a_client, office_client):
    for client in (dept_a_client, office_client):
        page = client.get(report_a.get_absolute_url()).content.decode()
        assert 'id="report-notices"' in page and notice.display_number in page


def test_office_list_filters_by_status_level_unit_and_overdue(notice, office_client, dept_b):
    url = reverse("supervision:notice-list")
    assert notice.display_number in office_client.get(url + "?status=open").content.decode()
    assert notice.display_number not in office_client.get(url + "?status=closed").content.decode()
    assert notice.display_number not in office_client.get(url + "?level=listed").content.decode()
    assert notice.display_number not in office_client.get(url + f"?unit={dept_b.pk}").content.decode()
    assert notice.display_number not in office_client.get(url + "?status=overdue").content.decode()
