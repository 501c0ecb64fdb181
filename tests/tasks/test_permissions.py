"""Who may open and do what on every reporting page: anonymous, department A, department B, office, viewer.

Another department's report answers 404 (its id reveals nothing); a visible report one may not change answers 403.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tasks import services
from tasks.models import Evidence, QuarterlyReport, ReportStatus
from tests.files import one_page_pdf
from tests.tasks.test_smoke import complete_data

pytestmark = pytest.mark.django_db

LOGIN = "login"
ROLES = ["anonymous", "dept_a", "dept_b", "office", "viewer"]
PDF = one_page_pdf()  # a real PDF: uploads are parsed, not sniffed


@pytest.fixture
def dept_a_head_client(dept_a_head):
    client = Client()
    client.force_login(dept_a_head)
    return client


def client_for(role: str, request) -> Client:
    if role == "anonymous":
        return Client()
    return request.getfixturevalue(f"{role}_client")


def fresh(report) -> QuarterlyReport:
    return QuarterlyReport.objects.get(pk=report.pk)


def a_report_in(state: str, request) -> QuarterlyReport:
    """七里海管委会's report, brought to `state` through the services (and B's draft exists too)."""
    report = request.getfixturevalue("report_a")
    request.getfixturevalue("report_b")
    reporter = request.getfixturevalue("dept_a_user")
    request.getfixturevalue("viewer_user")
    office = request.getfixturevalue("office_user")
    if state == "draft":
        return report
    if state == "awaiting_signoff":
        department = report.department
        department.requires_head_signoff = True
        department.save()
        request.getfixturevalue("dept_a_head")
    tasks, indicators = complete_data(report)
    services.save_draft(
        report=report, by=reporter, version=fresh(report).version, task_data=tasks, indicator_data=indicators
    )
    services.submit_report(report=fresh(report), by=reporter)
    if state == "approved":
        services.approve_report(report=fresh(report), by=office)
    report = fresh(report)
    assert report.status == state
    return report


def assert_outcome(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == expected


# --- pages -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, expected", [("anonymous", LOGIN), ("dept_a", 200), ("dept_b", 200), ("office", 200), ("viewer", 200)]
)
def test_home_needs_a_login(role, expected, request, period, report_a):
    assert_outcome(client_for(role, request).get(reverse("tasks:home")), expected)


def test_user_without_a_role_is_refused_the_home_page(db, django_user_model, plan):
    client = Client()
    client.force_login(django_user_model.objects.create_user("nobody", password="pw-nobody"))
    assert client.get(reverse("tasks:home")).status_code == 403


@pytest.mark.parametrize(
    "state, role, expected",
    [
        ("draft", "anonymous", LOGIN),
        ("draft", "dept_a", 200),
        ("draft", "dept_b", 404),
        ("draft", "office", 200),
        ("draft", "viewer", 404),
        ("submitted", "dept_b", 404),
        ("submitted", "viewer", 404),
        ("submitted", "office", 200),
        ("approved", "anonymous", LOGIN),
        ("approved", "dept_a", 200),
        ("approved", "dept_b", 404),
        ("approved", "office", 200),
        ("approved", "viewer", 200),
    ],
)
def test_report_page_is_shown_only_to_those_who_may_see_it(state, role, expected, request):
    report = a_report_in(state, request)
    assert_outcome(client_for(role, request).get(reverse("tasks:report-detail", args=[report.pk])), expected)


def test_department_cannot_see_other_departments_draft(report_a, report_b, dept_b_client):
    assert dept_b_client.get(reverse("tasks:report-detail", args=[report_a.pk])).status_code == 404
    assert dept_b_client.get(reverse("tasks:report-detail", args=[report_b.pk])).status_code == 200


def test_unknown_report_id_is_404_like_a_hidden_one(report_a, dept_b_client):
    assert dept_b_client.get(reverse("tasks:report-detail", args=[report_a.pk + 999])).status_code == 404


def test_only_the_own_department_gets_an_editable_form(report_a, request):
    page = reverse("tasks:report-detail", args=[report_a.pk])
    assert 'id="report-form"' in client_for("dept_a", request).get(page).content.decode()
    assert 'id="report-form"' not in client_for("office", request).get(page).content.decode()


def test_viewer_home_links_only_approved_reports(request):
    approved = a_report_in("approved", request)
    draft_b = request.getfixturevalue("report_b")
    html = client_for("viewer", request).get(reverse("tasks:home")).content.decode()
    assert reverse("tasks:report-detail", args=[approved.pk]) in html
    assert reverse("tasks:report-detail", args=[draft_b.pk]) not in html


# --- saving the form ---------------------------------------------------------------------------------------


def _save_form(report, work_done: str) -> dict:
    report = fresh(report)
    data = {"version": str(report.version), "action": "save"}
    for update in report.task_updates.all():
        data.update(
            {
                f"t{update.task_id}-status": update.status,
                f"t{update.task_id}-percent_complete": update.percent_complete or "",
                f"t{update.task_id}-work_done": work_done,
                f"t{update.task_id}-problems": update.problems,
                f"t{update.task_id}-next_steps": update.next_steps,
            }
        )
    return data


@pytest.mark.parametrize(
    "state, role, expected",
    [
        ("draft", "anonymous", LOGIN),
        ("draft", "dept_a", 302),
        ("draft", "dept_b", 404),
        ("draft", "office", 403),
        ("draft", "viewer", 404),
        ("approved", "anonymous", LOGIN),
        ("approved", "dept_a", 403),
        ("approved", "dept_b", 404),
        ("approved", "office", 403),
        ("approved", "viewer", 403),
    ],
)
def test_only_the_own_department_can_save_an_editable_report(state, role, expected, request):
    report = a_report_in(state, request)
    version = report.version

    response = client_for(role, request).post(
        reverse("tasks:report-detail", args=[report.pk]), _save_form(report, "外人写入的内容。")
    )

    assert_outcome(response, expected)
    stored = set(fresh(report).task_updates.values_list("work_done", flat=True))
    if expected == 302:
        assert stored == {"外人写入的内容。"}
        assert fresh(report).version == version + 1
    else:
        assert "外人写入的内容。" not in stored
        assert fresh(report).version == version


def test_office_cannot_edit_a_departments_draft(report_a, office_client):
    response = office_client.post(
        reverse("tasks:report-detail", args=[report_a.pk]), _save_form(report_a, "办公室代填。")
    )
    assert response.status_code == 403
    assert "办公室代填。" not in set(fresh(report_a).task_updates.values_list("work_done", flat=True))


# --- starting a report -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, expected", [("anonymous", LOGIN), ("dept_a", 302), ("dept_b", 302), ("office", 403), ("viewer", 403)]
)
def test_only_department_members_start_reports_and_only_their_own(role, expected, request, plan, period):
    request.getfixturevalue("dept_a_user")

    response = client_for(role, request).post(reverse("tasks:report-start", args=[period.pk]))

    assert_outcome(response, expected)
    if expected == 302:
        report = QuarterlyReport.objects.get()
        assert report.department.name == {"dept_a": "七里海管委会", "dept_b": "区统计局"}[role]
        assert response.url == reverse("tasks:report-detail", args=[report.pk])
    else:
        assert not QuarterlyReport.objects.exists()


def test_starting_a_report_needs_a_post(dept_a_client, period):
    assert dept_a_client.get(reverse("tasks:report-start", args=[period.pk])).status_code == 405


def test_report_cannot_be_started_in_a_closed_period(dept_a_client, period):
    period.is_open = False
    period.save()
    assert dept_a_client.post(reverse("tasks:report-start", args=[period.pk])).status_code == 403
    assert not QuarterlyReport.objects.exists()


# --- review actions ----------------------------------------------------------------------------------------

ACTION_MATRIX = [
    # action, state before, role, expected, state after when allowed
    *[
        ("sign-off", "awaiting_signoff", role, expected, ReportStatus.SUBMITTED)
        for role, expected in [
            ("anonymous", LOGIN),
            ("dept_a", 403),
            ("dept_a_head", 302),
            ("dept_b", 404),
            ("office", 403),
            ("viewer", 404),
        ]
    ],
    *[
        ("head-return", "awaiting_signoff", role, expected, ReportStatus.RETURNED)
        for role, expected in [
            ("anonymous", LOGIN),
            ("dept_a", 403),
            ("dept_a_head", 302),
            ("dept_b", 404),
            ("office", 403),
            ("viewer", 404),
        ]
    ],
    *[
        (action, "submitted", role, expected, after)
        for action, after in [("approve", ReportStatus.APPROVED), ("return", ReportStatus.RETURNED)]
        for role, expected in [
            ("anonymous", LOGIN),
            ("dept_a", 403),
            ("dept_a_head", 403),
            ("dept_b", 404),
            ("office", 302),
            ("viewer", 404),
        ]
    ],
    *[
        ("reopen", "approved", role, expected, ReportStatus.RETURNED)
        for role, expected in [
            ("anonymous", LOGIN),
            ("dept_a", 403),
            ("dept_a_head", 403),
            ("dept_b", 404),
            ("office", 302),
            ("viewer", 403),
        ]
    ],
    # the right person at the wrong moment
    ("approve", "draft", "office", 403, None),
    ("return", "draft", "office", 403, None),
    ("reopen", "submitted", "office", 403, None),
    ("sign-off", "submitted", "dept_a_head", 403, None),
    ("approve", "approved", "office", 403, None),
]


@pytest.mark.parametrize("action, state, role, expected, after", ACTION_MATRIX)
def test_review_actions_only_by_the_right_person_at_the_right_moment(action, state, role, expected, after, request):
    report = a_report_in(state, request)
    if role == "dept_a_head":
        request.getfixturevalue("dept_a_head")

    response = client_for(role, request).post(
        reverse("tasks:report-action", args=[report.pk, action]), {"comment": "意见：请补充。"}
    )

    assert_outcome(response, expected)
    if expected == 302:
        assert response.url == reverse("tasks:report-detail", args=[report.pk])
        assert fresh(report).status == after
    else:
        assert fresh(report).status == state


def test_unknown_action_is_404(report_a, office_client):
    response = office_client.post(reverse("tasks:report-action", args=[report_a.pk, "delete"]))
    assert response.status_code == 404


@pytest.mark.parametrize("action", ["sign-off", "head-return", "approve", "return", "reopen"])
def test_review_actions_need_a_post(action, report_a, office_client):
    response = office_client.get(reverse("tasks:report-action", args=[report_a.pk, action]))
    assert response.status_code == 405


# --- evidence ----------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _task_of(report) -> int:
    return report.task_updates.order_by("pk").first().task_id


@pytest.mark.parametrize(
    "state, role, expected",
    [
        ("draft", "anonymous", LOGIN),
        ("draft", "dept_a", 302),
        ("draft", "dept_b", 404),
        ("draft", "office", 403),
        ("draft", "viewer", 404),
        ("approved", "dept_a", 403),
        ("approved", "office", 403),
        ("approved", "viewer", 403),
        ("approved", "dept_b", 404),
    ],
)
def test_only_the_own_department_attaches_evidence_to_an_editable_report(state, role, expected, request, media):
    report = a_report_in(state, request)
    task = _task_of(report)

    response = client_for(role, request).post(
        reverse("tasks:evidence-upload", args=[report.pk, task]),
        {"file": SimpleUploadedFile("佐证.pdf", PDF, content_type="application/pdf")},
    )

    assert_outcome(response, expected)
    assert Evidence.objects.filter(task_update__report=report).exists() == (expected == 302)


def test_department_cannot_attach_evidence_to_another_departments_shared_task(report_a, report_b, dept_b_client, media):
    # 政策保障·1 is a task of both units; B's id for it still cannot reach A's report
    shared = set(report_a.task_updates.values_list("task_id", flat=True)) & set(
        report_b.task_updates.values_list("task_id", flat=True)
    )
    assert shared
    response = dept_b_client.post(
        reverse("tasks:evidence-upload", args=[report_a.pk, shared.pop()]),
        {"file": SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 404
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "state, role, expected",
    [
        ("draft", "anonymous", LOGIN),
        ("draft", "dept_a", 200),
        ("draft", "dept_b", 404),
        ("draft", "office", 200),
        ("draft", "viewer", 404),
        ("approved", "anonymous", LOGIN),
        ("approved", "dept_a", 200),
        ("approved", "dept_b", 404),
        ("approved", "office", 200),
        ("approved", "viewer", 200),
    ],
)
def test_evidence_is_downloaded_only_by_those_who_may_see_the_report(state, role, expected, request, media):
    report = request.getfixturevalue("report_a")
    reporter = request.getfixturevalue("dept_a_user")
    update = report.task_updates.order_by("pk").first()
    evidence = services.add_evidence(
        task_update=update, by=reporter, upload=SimpleUploadedFile("佐证.pdf", PDF, content_type="application/pdf")
    )
    report = a_report_in(state, request)

    response = client_for(role, request).get(reverse("tasks:evidence-download", args=[evidence.pk]))

    assert_outcome(response, expected)
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF


# ------------------------------------------------------------------------------------ separation of duties


@pytest.fixture
def office_with_a_membership(office_user, plan):
    """What an office member can do to themself in the admin: join 七里海管委会 as its head."""
    from departments.models import Department, Membership

    Membership.objects.create(user=office_user, department=Department.objects.get(name="七里海管委会"), role="head")
    return office_user


@pytest.fixture
def second_office_user(django_user_model, office_user):
    from django.contrib.auth.models import Group

    from departments.roles import OFFICE_GROUP

    user = django_user_model.objects.create_user("office-2", password="pw-office-2", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICE_GROUP))
    return user


def test_an_office_member_who_wrote_a_report_cannot_approve_it(
    office_with_a_membership, second_office_user, plan, period
):
    office = office_with_a_membership
    report = services.start_report(plan=plan, department=office.membership.department, period=period, by=office)
    tasks, indicators = complete_data(report)
    services.save_draft(report=report, by=office, version=report.version, task_data=tasks, indicator_data=indicators)
    services.submit_report(report=fresh(report), by=office)
    assert fresh(report).status == ReportStatus.SUBMITTED

    with pytest.raises(PermissionDenied):
        services.approve_report(report=fresh(report), by=office)
    client = Client()
    client.force_login(office)
    page = client.get(reverse("tasks:report-detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert 'id="not-your-approval"' in page.content.decode()
    assert reverse("tasks:report-action", args=[report.pk, "approve"]) not in page.content.decode()
    assert client.post(reverse("tasks:report-action", args=[report.pk, "approve"])).status_code == 403
    assert fresh(report).status == ReportStatus.SUBMITTED

    services.approve_report(report=fresh(report), by=second_office_user)
    assert fresh(report).status == ReportStatus.APPROVED


def test_whoever_signed_a_report_off_cannot_approve_it(office_user, dept_a_user, second_office_user, plan, period):
    """The head's sign-off is the unit's word; the head joining the office later does not make it the office's."""
    from departments.models import Department, Membership

    unit = Department.objects.get(name="七里海管委会")
    Department.objects.filter(pk=unit.pk).update(requires_head_signoff=True)
    Membership.objects.create(user=second_office_user, department=unit, role="head")
    report = services.start_report(plan=plan, department=unit, period=period, by=dept_a_user)
    tasks, indicators = complete_data(report)
    services.save_draft(report=report, by=dept_a_user, version=1, task_data=tasks, indicator_data=indicators)
    services.submit_report(report=fresh(report), by=dept_a_user)
    services.sign_off_report(report=fresh(report), by=second_office_user, approve=True)

    with pytest.raises(PermissionDenied):
        services.approve_report(report=fresh(report), by=second_office_user)
    with pytest.raises(PermissionDenied):
        services.approve_report(report=fresh(report), by=dept_a_user)
    services.approve_report(report=fresh(report), by=office_user)
    assert fresh(report).status == ReportStatus.APPROVED
