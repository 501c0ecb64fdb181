"""The first pages: plan structure, task, department, targets table; in Chinese by default."""

import pytest
from django.urls import reverse

from departments.models import Department
from targets.models import Task
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


def test_home_redirects_to_the_plan(client, plan):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:plan-detail", args=[plan.code])


def test_plan_page_shows_every_area_task_and_lead_in_chinese(client, plan):
    response = client.get(reverse("dashboard:plan-detail", args=[plan.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "方案结构" in html and "责任单位" in html and "牵头" in html
    for area in plan.areas.all():
        assert area.title in html
    for task in Task.objects.filter(area__plan=plan):
        assert task.title in html
    assert "全区投产可再生能源电力装机容量超过300万千瓦" in html  # 主要目标 under 总体要求


def test_task_page_has_full_text_departments_and_targets(client, plan):
    task = Task.objects.get(area__plan=plan, area__number=6, number=2)
    html = client.get(reverse("dashboard:task-detail", args=[plan.code, task.pk])).content.decode()
    assert task.body in html
    assert "牵头单位" in html and "七里海管委会" in html
    assert "区水务局" in html
    assert "全区森林覆盖率达到8.01%" in html
    assert "≥ 8.01 %" in html


def test_task_of_another_plan_is_not_found_under_this_plan(client, plan):
    other = build_plan(areas=1, tasks_per_area=1)
    task = Task.objects.get(area__plan=other)
    assert client.get(reverse("dashboard:task-detail", args=[plan.code, task.pk])).status_code == 404


def test_department_page_lists_what_it_leads_and_co_owns(client, plan):
    finance = Department.objects.get(name="区金融工作局")
    html = client.get(reverse("dashboard:department-detail", args=[plan.code, finance.pk])).content.decode()
    assert "区金融局" in html  # its alias
    assert "牵头1项任务" in html and "大力发展绿色低碳金融" in html
    assert "配合4项任务" in html and "引导企业履行社会责任" in html


def test_department_index_shows_aliases_and_counts(client, plan):
    html = client.get(reverse("dashboard:department-list", args=[plan.code])).content.decode()
    assert "区合作交流办" in html and "区交流合作办" in html
    assert "集合称谓" in html


def test_targets_table_shows_value_unit_and_quote(client, plan):
    html = client.get(reverse("dashboard:target-list", args=[plan.code])).content.decode()
    assert "65项目标" in html
    assert "&gt; 300 万千瓦" in html
    assert "≤ 1.3" in html
    assert "待市下达" in html
    assert "“新建大型、超大型数据中心电能利用效率不超过1.3”" in html or "不超过1.3" in html


def test_targets_table_filters_by_period_and_section(client, plan):
    url = reverse("dashboard:target-list", args=[plan.code])
    html = client.get(url, {"period": "2030"}).content.decode()
    assert "全区森林面积" in html and "8.01" not in html
    html = client.get(url, {"area": "main"}).content.decode()
    assert "碳达峰" in html and "高炉工序" not in html


def test_chinese_even_when_the_browser_asks_for_english(client, plan):
    html = client.get(reverse("dashboard:plan-detail", args=[plan.code]), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in html.content.decode()


def test_english_is_available(client, plan):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("dashboard:plan-detail", args=[plan.code])).content.decode()
    assert '<html lang="en">' in html
    assert "Plan structure" in html
    assert "推动产业转型升级" in html  # the plan's own words stay Chinese


@pytest.mark.parametrize("size", [(2, 3), (8, 10)])
def test_query_counts_do_not_grow_with_the_plan(client, django_assert_max_num_queries, size):
    plan = build_plan(areas=size[0], tasks_per_area=size[1])
    task = Task.objects.filter(area__plan=plan).first()
    department = Department.objects.filter(jurisdiction=plan.jurisdiction).first()
    pages = [
        (reverse("dashboard:plan-detail", args=[plan.code]), 8),
        (reverse("dashboard:task-detail", args=[plan.code, task.pk]), 6),
        (reverse("dashboard:target-list", args=[plan.code]), 6),
        (reverse("dashboard:department-list", args=[plan.code]), 5),
        (reverse("dashboard:department-detail", args=[plan.code, department.pk]), 8),
    ]
    for url, limit in pages:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_admin_lists_tasks_with_their_lead_in_chinese(office_client, plan):
    html = office_client.get(reverse("admin:targets_task_changelist")).content.decode()
    assert "推动钢铁行业碳达峰" in html
    task = Task.objects.get(area__plan=plan, area__number=2, number=2)
    html = office_client.get(reverse("admin:targets_task_change", args=[task.pk])).content.decode()
    assert "国网天津宁河供电公司" in html
    assert "全区可再生能源电力装机容量力争超过300万千瓦" in html
