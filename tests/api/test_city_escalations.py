"""The API's read of the 需市级协调 marks: the office and leaders read each mark with its history, units may not."""

import pytest
from django.urls import reverse

from cityreport import services
from tasks.models import TaskUpdate

from .conftest import ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked(report_a, office_user):
    problem = report_a.task_updates.first()
    TaskUpdate.objects.filter(pk=problem.pk).update(major_problem=True, problems="资金缺口较大")
    problem.refresh_from_db()
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
