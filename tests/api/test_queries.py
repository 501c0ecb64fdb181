"""Every API list answers in the same number of queries whatever the plan's size (two sizes, one limit)."""

import pytest
from django.urls import reverse

from results.services import recompute_plan
from tests.factories import build_plan

pytestmark = pytest.mark.django_db

LISTS = [
    ("api:area-list", 6),
    ("api:task-list", 7),
    ("api:department-list", 7),
    ("api:indicator-list", 6),
    ("api:target-list", 6),
    ("api:value-list", 10),
    ("api:target-result-list", 10),
    ("api:task-result-list", 10),
    ("api:rollup-list", 10),
    ("api:report-list", 9),
]


@pytest.mark.parametrize("areas, tasks", [(2, 3), (8, 10)])
def test_lists_keep_their_query_count_as_the_plan_grows(areas, tasks, api_for, period, django_assert_max_num_queries):
    plan = build_plan(areas=areas, tasks_per_area=tasks)
    recompute_plan(plan)
    client = api_for("office")
    for name, limit in LISTS:
        with django_assert_max_num_queries(limit):
            response = client.get(reverse(name), {"plan": plan.code, "page_size": 500})
        assert response.status_code == 200, name
        if name in {"api:task-list", "api:target-result-list", "api:task-result-list"}:
            assert response.data["count"] == areas * tasks
        if name == "api:rollup-list":
            assert response.data["count"] > areas  # the plan, each area, each department


@pytest.mark.parametrize("rows", [1, 4])
def test_a_report_reads_in_a_fixed_number_of_queries(rows, api_for, report_a, django_assert_max_num_queries):
    from tasks import services

    update = report_a.task_updates.order_by("pk").first()
    for n in range(rows):
        services.save_draft(
            report=report_a,
            by=report_a.updated_by,
            version=report_a.version + n,
            task_data={update.task_id: {"work_done": f"第{n}次。"}},
            indicator_data={},
        )
    with django_assert_max_num_queries(16):
        response = api_for("dept_a").get(reverse("api:report-detail", args=[report_a.pk]))
    assert response.status_code == 200 and len(response.data["events"]) == rows + 1
