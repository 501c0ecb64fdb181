"""Database constraints that keep the plan model honest even when edited by hand in the admin."""

import pytest
from django.db import IntegrityError, transaction

from targets.models import Responsibility
from tests.factories import AreaFactory, DepartmentFactory, ResponsibilityFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_a_task_has_one_lead_only():
    lead = ResponsibilityFactory()
    other = DepartmentFactory(jurisdiction=lead.department.jurisdiction)
    with pytest.raises(IntegrityError), transaction.atomic():
        Responsibility.objects.create(
            task=lead.task, department=other, role=Responsibility.Role.LEAD, order=2, name_as_written=other.name
        )


def test_the_lead_is_the_first_named():
    task = TaskFactory()
    unit = DepartmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Responsibility.objects.create(task=task, department=unit, role=Responsibility.Role.CO, order=1)


def test_a_department_appears_once_per_task():
    lead = ResponsibilityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Responsibility.objects.create(task=lead.task, department=lead.department, role=Responsibility.Role.CO, order=2)


def test_task_numbers_are_unique_within_an_area_and_restart_in_the_next():
    area = AreaFactory()
    TaskFactory(area=area, number=1)
    TaskFactory(area=AreaFactory(plan=area.plan), number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(area=area, number=1)


def test_task_code_and_full_text(plan):
    task = plan.areas.get(number=2).tasks.get(number=2)
    assert task.code == "2.2"
    assert task.full_text.startswith("大力发展新能源。坚持集中式和分布式并重")
    assert task.full_text.endswith(
        "（区发展改革委、区工业和信息化局、市规划资源局宁河分局、区城市管理委、区农业农村委、国网天津宁河供电公司按职责分工负责）"
    )
    assert task.full_text in plan.source_text.replace("2.大力发展新能源", "大力发展新能源")
