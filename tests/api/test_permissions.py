"""The permission matrix of the API: seven roles × every endpoint × method → the expected status.

Rules come from tasks.permissions through the services, as on the pages: the plan's structure is public,
everything else needs a sign-in (401 without one), another unit's report answers 404 (its id reveals
nothing) and a visible report the caller may not change answers 403.
"""

import pytest
from django.urls import reverse

from tasks.models import QuarterlyReport, ReportStatus
from tests.factories import percent_down_flag
from tests.tasks.test_permissions import a_report_in
from tests.tasks.test_smoke import complete_data

from .conftest import ROLES

pytestmark = pytest.mark.django_db

PUBLIC_LISTS = ["plan", "area", "task", "department", "indicator", "target", "period"]
SIGNED_IN_LISTS = ["value", "target-result", "task-result", "rollup", "report"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PUBLIC_LISTS)
def test_the_plans_structure_is_public_and_read_only(name, role, api_for, period):
    client = api_for(role)
    url = reverse(f"api:{name}-list")

    response = client.get(url)
    assert response.status_code == 200
    assert response.data["count"] >= 1
    assert client.post(url, {}, format="json").status_code == 405
    detail = reverse(f"api:{name}-detail", args=[response.data["results"][0].get("id") or "ninghe-2023"])
    assert client.get(detail).status_code == 200
    assert client.delete(detail).status_code == 405


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", SIGNED_IN_LISTS)
def test_results_values_and_reports_need_a_sign_in(name, role, api_for, report_a):
    response = api_for(role).get(reverse(f"api:{name}-list"))
    assert response.status_code == (401 if role == "anonymous" else 200)


def _seen_reports(client) -> set[int]:
    return {row["id"] for row in client.get(reverse("api:report-list")).data["results"]}


@pytest.mark.parametrize(
    "role, sees",
    [
        ("dept_a", {"a"}),
        ("dept_a_head", {"a"}),
        ("dept_b", {"b"}),
        ("office", {"a", "b"}),
        ("admin", {"a", "b"}),
        ("viewer", set()),
    ],
)
def test_report_list_holds_only_reports_one_may_see(role, sees, api_for, report_a, report_b):
    ids = {"a": report_a.pk, "b": report_b.pk}
    assert _seen_reports(api_for(role)) == {ids[k] for k in sees}


READ_MATRIX = [
    *[("draft", role, code) for role, code in zip(ROLES, [401, 200, 404, 200, 200, 404, 200], strict=True)],
    *[("submitted", role, code) for role, code in zip(ROLES, [401, 200, 404, 200, 200, 404, 200], strict=True)],
    *[("approved", role, code) for role, code in zip(ROLES, [401, 200, 404, 200, 200, 200, 200], strict=True)],
]


@pytest.mark.parametrize("state, role, expected", READ_MATRIX)
def test_a_report_is_read_only_by_those_who_may_see_it(state, role, expected, request, api_for):
    report = a_report_in(state, request)
    response = api_for(role).get(reverse("api:report-detail", args=[report.pk]))
    assert response.status_code == expected
    if expected == 404:
        assert set(response.data) == {"detail"}  # nothing of the report leaks
    if expected == 200:
        assert response.data["id"] == report.pk and response.data["status"] == state


def test_unknown_report_id_is_404_like_a_hidden_one(api_for, report_a):
    client = api_for("dept_b")
    hidden = client.get(reverse("api:report-detail", args=[report_a.pk]))
    missing = client.get(reverse("api:report-detail", args=[report_a.pk + 999]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.data == missing.data


@pytest.mark.parametrize("role, expected", list(zip(ROLES, [401, 201, 201, 201, 403, 403, 403], strict=True)))
def test_only_members_start_a_report_and_only_their_own(role, expected, api_for, period, dept_a_user):
    response = api_for(role).post(reverse("api:report-list"), {"period": period.pk}, format="json")
    assert response.status_code == expected
    if expected == 201:
        report = QuarterlyReport.objects.get(pk=response.data["id"])
        assert report.department.name == ("区统计局" if role == "dept_b" else "七里海管委会")
    else:
        assert not QuarterlyReport.objects.exists()


SAVE_MATRIX = [
    *[("draft", role, code) for role, code in zip(ROLES, [401, 200, 404, 200, 403, 404, 403], strict=True)],
    *[("approved", role, code) for role, code in zip(ROLES, [401, 403, 404, 403, 403, 403, 403], strict=True)],
]


@pytest.mark.parametrize("state, role, expected", SAVE_MATRIX)
def test_only_the_own_department_saves_an_editable_report(state, role, expected, request, api_for):
    report = a_report_in(state, request)
    if role == "dept_a_head":
        request.getfixturevalue("dept_a_head")
    task = report.task_updates.order_by("pk").first().task_id
    body = {"version": report.version, "tasks": [{"task": task, "work_done": "外部系统写入。"}]}

    response = api_for(role).post(reverse("api:report-save", args=[report.pk]), body, format="json")

    assert response.status_code == expected
    stored = QuarterlyReport.objects.get(pk=report.pk)
    written = stored.task_updates.filter(work_done="外部系统写入。").exists()
    assert written == (expected == 200)
    assert stored.version == report.version + (1 if expected == 200 else 0)


ACTION_MATRIX = [
    # action, state before, role → expected, state after when allowed
    *[
        ("sign-off", "awaiting_signoff", role, code, ReportStatus.SUBMITTED)
        for role, code in zip(ROLES, [401, 403, 404, 200, 403, 404, 403], strict=True)
    ],
    *[
        ("head-return", "awaiting_signoff", role, code, ReportStatus.RETURNED)
        for role, code in zip(ROLES, [401, 403, 404, 200, 403, 404, 403], strict=True)
    ],
    *[
        (action, "submitted", role, code, after)
        for action, after in [("approve", ReportStatus.APPROVED), ("return", ReportStatus.RETURNED)]
        for role, code in zip(ROLES, [401, 403, 404, 403, 200, 404, 200], strict=True)
    ],
    *[
        ("reopen", "approved", role, code, ReportStatus.RETURNED)
        for role, code in zip(ROLES, [401, 403, 404, 403, 200, 403, 200], strict=True)
    ],
    *[
        ("submit", "draft", role, code, ReportStatus.SUBMITTED)
        for role, code in zip(ROLES, [401, 200, 404, 200, 403, 404, 403], strict=True)
    ],
    ("approve", "draft", "office", 403, None),
    ("reopen", "submitted", "office", 403, None),
    ("sign-off", "submitted", "dept_a_head", 403, None),
    ("submit", "approved", "dept_a", 403, None),
]


@pytest.mark.parametrize("action, state, role, expected, after", ACTION_MATRIX)
def test_workflow_steps_only_by_the_right_person_at_the_right_moment(
    action, state, role, expected, after, request, api_for
):
    report = a_report_in(state, request)
    if role == "dept_a_head":
        request.getfixturevalue("dept_a_head")
    if action == "submit" and state == "draft":
        from tasks import services

        tasks, indicators = complete_data(report)
        services.save_draft(
            report=report, by=report.updated_by, version=report.version, task_data=tasks, indicator_data=indicators
        )

    response = api_for(role).post(
        reverse(f"api:report-{action}", args=[report.pk]), {"comment": "意见：请补充。"}, format="json"
    )

    assert response.status_code == expected
    stored = QuarterlyReport.objects.get(pk=report.pk)
    if expected == 200:
        assert stored.status == after == response.data["status"]
        assert stored.events.order_by("-pk").first().actor.username == response.wsgi_request.user.username
    else:
        assert stored.status == state
    if expected == 403:
        assert response.data["detail"]  # says why, in Chinese


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["api:schema", "api:docs", "api:redoc"])
def test_api_docs_are_open_to_everyone(name, role, api_for):
    assert api_for(role).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("role, sees", list(zip(ROLES[1:], [True, False, True, True, True, True], strict=True)))
def test_approved_values_are_read_by_those_who_may_see_the_report(role, sees, request, api_for):
    """The values list follows the report rules: a unit its own, viewers and the office every approved one."""
    report = a_report_in("approved", request)
    if role == "dept_a_head":
        request.getfixturevalue("dept_a_head")
    quarter = f"{report.period.year}Q{report.period.quarter}"
    rows = api_for(role).get(reverse("api:value-list"), {"as_of": quarter}).data["results"]
    assert {row["report"] for row in rows} == ({report.pk} if sees else set())


def test_a_draft_s_values_are_never_in_the_values_list(api_for, report_a):
    assert api_for("office").get(reverse("api:value-list")).data["count"] == 0


@pytest.mark.parametrize("role, sees", list(zip(ROLES[1:], [False, False, False, True, False, True], strict=True)))
def test_check_prompts_are_shown_to_the_office_only(role, sees, request, api_for):
    report = a_report_in("submitted", request)
    if role == "dept_a_head":
        request.getfixturevalue("dept_a_head")
    flag = percent_down_flag(report)
    response = api_for(role).get(reverse("api:report-detail", args=[report.pk]))
    if response.status_code == 404:  # another unit's report, or a viewer's unapproved one
        assert role in ("dept_b", "viewer")
        return
    flags = response.data["quality_flags"]
    assert [f["id"] for f in flags] == ([flag.pk] if sees else [])
    if sees:
        assert flags[0]["sentence"] == "完成百分比由2025年第4季度的60%降至40%。" and flags[0]["is_open"]


DISMISS_MATRIX = list(zip(ROLES, [401, 403, 404, 403, 200, 404, 200], strict=True))


@pytest.mark.parametrize("role, expected", DISMISS_MATRIX)
def test_only_the_office_dismisses_a_check_prompt(role, expected, request, api_for):
    report = a_report_in("submitted", request)
    if role == "dept_a_head":
        request.getfixturevalue("dept_a_head")
    flag = percent_down_flag(report)
    url = reverse("api:report-flag-dismiss", args=[report.pk, flag.pk])

    response = api_for(role).post(url, {"reason": "已电话核实。"}, format="json")

    assert response.status_code == expected
    flag.refresh_from_db()
    assert flag.is_open == (expected != 200)
    if expected == 200:
        [shown] = response.data["quality_flags"]
        assert (
            shown["dismissal_reason"] == "已电话核实。" and shown["dismissed_by"] == response.wsgi_request.user.username
        )
    if expected == 403:
        assert response.data["detail"]


def test_dismissing_without_a_reason_is_refused_in_chinese(request, api_for):
    report = a_report_in("submitted", request)
    flag = percent_down_flag(report)
    response = api_for("office").post(
        reverse("api:report-flag-dismiss", args=[report.pk, flag.pk]), {"reason": " "}, format="json"
    )
    assert response.status_code == 400 and "理由" in response.data["detail"]
    flag.refresh_from_db()
    assert flag.is_open


def test_a_prompt_of_another_report_is_not_found(request, api_for, report_b):
    report = a_report_in("submitted", request)
    flag = percent_down_flag(report)
    response = api_for("office").post(
        reverse("api:report-flag-dismiss", args=[report_b.pk, flag.pk]), {"reason": "x"}, format="json"
    )
    assert response.status_code == 404


# --- supervision notices (督办单) ----------------------------------------------------------------------------


def a_notice_in(state: str, request):
    """A notice to 七里海管委会 (department A) on task 6.2, brought to `state` through the services."""
    import datetime as dt

    from django.utils import timezone

    from supervision import services as supervision
    from supervision.selectors import task_subject
    from targets.models import Task

    office, unit = request.getfixturevalue("office_user"), request.getfixturevalue("dept_a_user")
    today = timezone.localdate()
    task = Task.objects.get(area__plan__code="ninghe-2023", area__number=6, number=2)
    notice = supervision.open_notice(
        subject=task_subject(task, None), by=office, requirement="请整改。", deadline=today, today=today
    )
    if state in ("answered", "closed"):
        supervision.answer_notice(notice=notice, by=unit, measures="已整改。", planned_completion=today)
    if state == "extension":
        supervision.request_extension(notice=notice, by=unit, deadline=today + dt.timedelta(days=9), reason="需协调")
    if state == "closed":
        supervision.close_notice(notice=notice, by=office)
    notice.refresh_from_db()
    return notice


@pytest.mark.parametrize("role, expected", list(zip(ROLES, [401, 200, 404, 200, 200, 200, 200], strict=True)))
def test_a_notice_is_read_by_its_unit_the_office_and_the_viewer_only(role, expected, request, api_for, plan):
    notice = a_notice_in("open", request)
    client = api_for(role)
    response = client.get(reverse("api:notice-detail", args=[notice.pk]))
    assert response.status_code == expected
    listed = client.get(reverse("api:notice-list"))
    if role == "anonymous":
        assert listed.status_code == 401
    else:
        assert ({row["id"] for row in listed.data["results"]} == {notice.pk}) == (expected == 200)
    if expected == 404:
        assert set(response.data) == {"detail"}
    if expected == 200:
        assert (
            response.data["display_number"] == notice.display_number and response.data["steps"][0]["action"] == "open"
        )


def test_a_copied_unit_reads_the_notice_but_cannot_answer(request, api_for, plan, django_user_model):
    from departments.models import Department, Membership
    from tests.api.conftest import token_client

    notice = a_notice_in("open", request)
    forestry = django_user_model.objects.create_user("forestry")
    Membership.objects.create(user=forestry, department=Department.objects.get(name="区林业局"))
    client = token_client(forestry)
    assert client.get(reverse("api:notice-detail", args=[notice.pk])).status_code == 200
    answer = {"measures": "x", "planned_completion": "2027-01-01"}
    assert client.post(reverse("api:notice-answer", args=[notice.pk]), answer, format="json").status_code == 403


@pytest.mark.parametrize("role, expected", list(zip(ROLES, [401, 403, 403, 403, 201, 403, 201], strict=True)))
def test_only_the_office_opens_a_notice(role, expected, api_for, plan, dept_a_user):
    from supervision.models import Notice
    from targets.models import Task

    task = Task.objects.get(area__plan__code="ninghe-2023", area__number=6, number=2)
    body = {"task": task.pk, "requirement": "请报送整改措施。", "deadline": "2026-12-31", "level": "remind"}
    response = api_for(role).post(reverse("api:notice-list"), body, format="json")
    assert response.status_code == expected
    if expected == 201:
        notice = Notice.objects.get()
        assert response.data["responsible_name"] == "七里海管委会" and notice.level == "remind"
    else:
        assert not Notice.objects.exists()


NOTICE_STEP_MATRIX = [
    # action, state before, body, role → expected, status after when allowed
    *[
        (action, "open", body, role, code, after)
        for action, body, after in [
            ("answer", {"measures": "已整改。", "planned_completion": "2027-01-31"}, "answered"),
            ("request-extension", {"deadline": "2027-02-28", "reason": "需市级协调"}, "extension"),
        ]
        for role, code in zip(ROLES, [401, 200, 404, 200, 403, 403, 403], strict=True)
    ],
    *[
        (action, state, {"text": "请补充。"}, role, code, after)
        for action, state, after in [
            ("return", "answered", "returned"),
            ("close", "answered", "closed"),
            ("raise-level", "open", "open"),
            ("grant-extension", "extension", "open"),
            ("decline-extension", "extension", "open"),
        ]
        for role, code in zip(ROLES, [401, 403, 404, 403, 200, 403, 200], strict=True)
    ],
    ("return", "open", {"text": "x"}, "office", 403, None),
    ("grant-extension", "open", {"text": "x"}, "office", 403, None),
    ("answer", "closed", {"measures": "x", "planned_completion": "2027-01-31"}, "dept_a", 403, None),
    ("raise-level", "closed", {"text": "x"}, "office", 403, None),
    ("close", "open", {"text": ""}, "office", 400, None),
]


@pytest.mark.parametrize("action, state, body, role, expected, after", NOTICE_STEP_MATRIX)
def test_notice_steps_only_by_the_right_person_at_the_right_moment(
    action, state, body, role, expected, after, request, api_for, plan
):
    from supervision.models import Notice

    notice = a_notice_in(state, request)
    if role == "dept_a_head":
        request.getfixturevalue("dept_a_head")
    response = api_for(role).post(reverse(f"api:notice-{action}", args=[notice.pk]), body, format="json")
    assert response.status_code == expected
    stored = Notice.objects.get(pk=notice.pk)
    if expected == 200:
        assert stored.status == after == response.data["status"]
        assert stored.steps.last().actor.username == response.wsgi_request.user.username
    else:
        assert stored.status == notice.status and stored.steps.count() == notice.steps.count()
    if expected in (400, 403):
        assert response.data["detail"]
