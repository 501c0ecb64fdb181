"""The API's read of the 需市级协调 marks: the office and leaders read each mark with its history, units may not."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cityreport import services
from tasks.models import QuarterlyReport, ReportStatus, TaskUpdate

from .conftest import ROLES

pytestmark = pytest.mark.django_db


def reported(report, status, text):
    """A major problem in `report`, which has reached the office with `status`."""
    QuarterlyReport.objects.filter(pk=report.pk).update(status=status)
    problem = report.task_updates.first()
    TaskUpdate.objects.filter(pk=problem.pk).update(major_problem=True, problems=text)
    problem.refresh_from_db()
    return problem


@pytest.fixture
def marked(report_a, office_user):
    problem = reported(report_a, ReportStatus.APPROVED, "资金缺口较大")
    services.mark_escalation(problem, by=office_user, reason="需市财政支持")
    services.unmark_escalation(problem, by=office_user, reason="区财政已解决")
    services.mark_escalation(problem, by=office_user, reason="缺口再次扩大")
    return problem


@pytest.mark.parametrize("role, expected", list(zip(ROLES, [401, 403, 403, 403, 200, 200, 200], strict=True)))
def test_the_marks_are_read_by_the_office_and_leaders_only(role, expected, api_for, marked):
    response = api_for(role).get(reverse("api:city-escalation-list"))

    assert response.status_code == expected
    if expected == 200:
        (row,) = response.json()["results"]
        assert (row["task_update"], row["is_active"], row["reason"], row["problem"]) == (
            marked.pk,
            True,
            "缺口再次扩大",
            "资金缺口较大",
        )
        assert [(h["action"], h["reason"]) for h in row["history"]] == [
            ("mark", "缺口再次扩大"),
            ("unmark", "区财政已解决"),
            ("mark", "需市财政支持"),
        ]


def test_a_draft_s_problem_cannot_be_marked_it_is_still_the_unit_s_own(report_a, office_user):
    problem = reported(report_a, ReportStatus.DRAFT, "草稿中的内部问题")
    with pytest.raises(ValidationError):
        services.mark_escalation(problem, by=office_user, reason="需市级协调")


def test_leaders_read_the_marks_of_approved_reports_only_as_on_the_pages(api_for, report_a, office_user):
    problem = reported(report_a, ReportStatus.SUBMITTED, "待审核的问题")
    services.mark_escalation(problem, by=office_user, reason="需市级协调")

    office = api_for("office").get(reverse("api:city-escalation-list")).json()["results"]
    leader = api_for("viewer").get(reverse("api:city-escalation-list")).json()["results"]
    assert [row["problem"] for row in office] == ["待审核的问题"]
    assert leader == []


def test_the_list_reads_each_mark_in_a_constant_number_of_queries(
    api_for, report_a, report_b, office_user, django_assert_max_num_queries
):
    for report, text in ((report_a, "问题一"), (report_b, "问题二")):
        services.mark_escalation(reported(report, ReportStatus.APPROVED, text), by=office_user, reason="需协调")
    client = api_for("office")
    client.get(reverse("api:city-escalation-list"))  # warm: the session, the plan
    with django_assert_max_num_queries(8):
        assert len(client.get(reverse("api:city-escalation-list")).json()["results"]) == 2
