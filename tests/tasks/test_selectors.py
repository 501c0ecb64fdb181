"""Selectors of the reporting workflow."""

import pytest

from departments.models import Department, DepartmentKind
from indicators.models import Indicator
from targets.models import Responsibility
from tasks.selectors import reporting_departments

pytestmark = pytest.mark.django_db


def test_reporting_departments_among_named_units_are_those_that_owe_reports(plan):
    named = set(Responsibility.objects.filter(task__area__plan=plan).values_list("department_id", flat=True))
    named |= set(Indicator.objects.filter(plan=plan).values_list("reporting_department_id", flat=True))
    assert Department.objects.filter(pk__in=named, kind=DepartmentKind.COLLECTIVE).exists()

    owing = list(reporting_departments(plan))
    assert list(reporting_departments(plan, named=named)) == owing  # collective entries left out, in name order
    some = {d.pk for d in owing[::3]}
    assert {d.pk for d in reporting_departments(plan, named=some)} == some
