"""Dispatch meetings: the office records one, each decision becomes a supervision notice, the minutes are a Chinese
PDF with the decisions table; units see the meetings they attended or were given a decision of."""

import datetime as dt
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from departments.models import Department
from meetings.models import Decision, Meeting
from meetings.services import add_decision, add_topic, record_meeting
from supervision.models import Notice
from targets.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(plan, office_user):
    unit = Department.objects.get(name="七里海管委会")
    meeting = record_meeting(
        plan=plan,
        held_on=timezone.localdate(),
        title="2026年第四季度碳达峰调度会",
        attendees=[unit],
        by=office_user,
        place="区政府第一会议室",
        chair="区发展改革委主任",
    )
    task = Task.objects.filter(area__plan=plan).order_by("pk").first()
    topic = add_topic(
        meeting=meeting, title="森林覆盖率滞后", discussion="造林用地不足。", tasks=[task], by=office_user
    )
    add_decision(
        meeting=meeting,
        topic=topic,
        text="制定补植计划并报送办公室",
        responsible=unit,
        deadline=timezone.localdate() + dt.timedelta(days=20),
        by=office_user,
        today=timezone.localdate(),
    )
    return meeting


def test_the_office_records_a_meeting_and_its_decision_becomes_a_notice(plan, office_client):
    unit = Department.objects.get(name="七里海管委会")
    response = office_client.post(
        reverse("meetings:meeting-create"),
        {"title": "第一次调度会", "held_on": "2026-12-03", "attendees": [unit.pk]},
    )
    meeting = Meeting.objects.get()
    assert response.url == reverse("meetings:meeting-detail", args=[meeting.pk])

    response = office_client.post(
        reverse("meetings:decision-add", args=[meeting.pk]),
        {"text": "月底前完成补植", "responsible": unit.pk, "deadline": "2026-12-31", "level": "listed"},
    )

    assert response.status_code == 302
    decision = Decision.objects.get()
    notice = decision.notice
    assert (notice.responsible, notice.deadline, notice.level, notice.requirement) == (
        unit,
        dt.date(2026, 12, 31),
        "listed",
        "月底前完成补植",
    )
    assert notice.steps.filter(action="open").exists()  # the notice's history starts with the meeting's decision
    html = office_client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert notice.display_number in html and "月底前完成补植" in html


def test_a_decision_with_a_past_deadline_is_refused_and_nothing_is_saved(plan, office_client, meeting):
    unit = Department.objects.get(name="七里海管委会")
    before = Notice.objects.count()

    response = office_client.post(
        reverse("meetings:decision-add", args=[meeting.pk]),
        {"text": "补报数据", "responsible": unit.pk, "deadline": "2020-01-01", "level": "supervise"},
    )

    assert response.status_code == 400
    assert "补报数据" in response.content.decode()  # what was typed is shown again
    assert (Notice.objects.count(), meeting.decisions.count()) == (before, 1)


def test_the_minutes_are_a_chinese_pdf_with_the_decisions_table(office_client, meeting, tmp_path):
    response = office_client.get(reverse("meetings:meeting-minutes", args=[meeting.pk]))

    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    notice = meeting.decisions.get().notice
    for words in (
        "会议纪要",
        "参会单位",
        "七里海管委会",
        "调度议题",
        "森林覆盖率滞后",
        "议定事项",
        "责任单位",
        "完成时限",
        "制定补植计划并报送办公室",
        notice.display_number,
    ):
        assert words in text


# anonymous, the attending unit, another unit, the viewer, the office
ROLES = ["anonymous", "dept_a", "dept_b", "viewer", "office"]
USERS = {"dept_a": "dept_a_user", "dept_b": "dept_b_user", "viewer": "viewer_user", "office": "office_user"}
MATRIX = {
    ("list", "GET"): ["login", 200, 200, 200, 200],
    ("detail", "GET"): ["login", 200, 404, 200, 200],
    ("minutes", "GET"): ["login", 200, 404, 200, 200],
    ("create", "GET"): ["login", 403, 403, 403, 200],
    ("topic", "POST"): ["login", 403, 404, 403, 302],
    ("decision", "POST"): ["login", 403, 404, 403, 302],
}


@pytest.mark.parametrize(
    "page, method, role, expected",
    [
        (page, method, role, expected)
        for (page, method), row in MATRIX.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
def test_every_meeting_page_answers_each_role_as_the_rules_say(page, method, role, expected, meeting, request):
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(USERS[role]))
    url = {
        "list": reverse("meetings:meeting-list"),
        "detail": reverse("meetings:meeting-detail", args=[meeting.pk]),
        "minutes": reverse("meetings:meeting-minutes", args=[meeting.pk]),
        "create": reverse("meetings:meeting-create"),
        "topic": reverse("meetings:topic-add", args=[meeting.pk]),
        "decision": reverse("meetings:decision-add", args=[meeting.pk]),
    }[page]
    data = {
        "topic": {"title": "新议题"},
        "decision": {
            "text": "新事项",
            "responsible": Department.objects.get(name="区统计局").pk,
            "deadline": "2026-12-31",
            "level": "supervise",
        },
    }.get(page, {})
    response = client.post(url, data) if method == "POST" else client.get(url)
    if expected == "login":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected


def test_a_unit_lists_only_the_meetings_it_attended_or_was_given_a_decision_of(meeting, dept_b_client, dept_a_client):
    assert meeting.title in dept_a_client.get(reverse("meetings:meeting-list")).content.decode()
    assert meeting.title not in dept_b_client.get(reverse("meetings:meeting-list")).content.decode()


@pytest.mark.parametrize("name", ["meetings:meeting-list", "meetings:meeting-create", "meetings:meeting-detail"])
def test_the_meeting_pages_keep_the_site_s_menu(name, office_client, meeting):
    args = [meeting.pk] if name.endswith("detail") else []
    page = office_client.get(reverse(name, args=args)).content.decode()
    assert 'class="main-nav"' in page and reverse("supervision:notice-list") in page
