"""Notices in the API: lists filter like the page, stay at a constant number of queries, and show the history."""

import datetime as dt

import pytest
from django.urls import reverse

from supervision import services
from supervision.selectors import free_subject
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def open_some(plan, office, unit, count, today):
    return [
        services.open_notice(
            subject=free_subject(plan),
            by=office,
            title=f"事项{i}",
            responsible=unit,
            requirement="请整改。",
            deadline=today + dt.timedelta(days=i),
            today=today,
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_costs_the_same_queries_whatever_its_length(
    count, plan, office_user, dept_a_user, today, django_assert_max_num_queries
):
    open_some(plan, office_user, dept_a_user.membership.department, count, today)
    client = token_client(office_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("api:notice-list"))
    assert response.data["count"] == count


def test_filters_and_overdue_flag(plan, office_user, dept_a_user, dept_b, today):
    first, second = open_some(plan, office_user, dept_a_user.membership.department, 2, today)
    services.raise_level(notice=second, by=office_user)
    client = token_client(office_user)
    url = reverse("api:notice-list")
    assert [r["id"] for r in client.get(url, {"level": "listed"}).data["results"]] == [second.pk]
    assert client.get(url, {"unit": dept_b.pk}).data["count"] == 0
    assert client.get(url, {"status": "overdue"}).data["count"] == 0
    detail = client.get(reverse("api:notice-detail", args=[first.pk])).data
    assert detail["overdue"] is False and [s["action"] for s in detail["steps"]] == ["open"]


def test_office_opens_on_a_target_and_the_unit_answers(plan, office_user, dept_a_user):
    from indicators.models import Target

    target = Target.objects.filter(indicator__plan=plan, task__area__number=6, task__number=2).first()
    office = token_client(office_user)
    body = {"target": target.pk, "requirement": "请说明。", "deadline": "2026-12-31"}
    created = office.post(reverse("api:notice-list"), body, format="json")
    assert created.status_code == 201 and created.data["subject_kind"] == "target"
    unit = token_client(dept_a_user)
    answer = {"measures": "已落实。", "planned_completion": "2027-06-30"}
    answered = unit.post(reverse("api:notice-answer", args=[created.data["id"]]), answer, format="json")
    assert answered.status_code == 200 and answered.data["status"] == "answered"
    assert [s["actor"] for s in answered.data["steps"]] == ["office", "dept-a"]


def test_bad_input_is_refused_in_chinese_and_nothing_changes(notice, dept_a_user):
    unit = token_client(dept_a_user)
    response = unit.post(
        reverse("api:notice-request-extension", args=[notice.pk]),
        {"deadline": notice.deadline.isoformat(), "reason": "需要时间"},
        format="json",
    )
    assert response.status_code == 400 and "新的办理期限须晚于" in response.data["detail"]
    notice.refresh_from_db()
    assert notice.status == "open"
