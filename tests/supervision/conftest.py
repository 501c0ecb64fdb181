import datetime as dt

import pytest

from departments.models import Department
from targets.models import Task


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def forest_task(plan):
    """Task 6.2, led by 七里海管委会 (dept_a), with co-units."""
    return Task.objects.select_related("area").get(area__plan=plan, area__number=6, number=2)


@pytest.fixture
def notice(plan, office_user, forest_task, period, today, dept_a_user):
    from supervision.selectors import task_subject
    from supervision.services import open_notice

    return open_notice(
        subject=task_subject(forest_task, period),
        by=office_user,
        requirement="请于期限内报送整改措施。",
        deadline=today + dt.timedelta(days=7),
        today=today,
    )


@pytest.fixture
def dept_b(plan):
    return Department.objects.get(name="区统计局")
