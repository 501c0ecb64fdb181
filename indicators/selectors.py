"""Reading targets with their indicator, task and reporting unit in one query."""

from django.db.models import QuerySet

from departments.models import Department
from targets.models import Plan, Task

from .models import Target


def _targets() -> QuerySet[Target]:
    return Target.objects.select_related("indicator__reporting_department", "task__area").order_by(
        "indicator__order", "order"
    )


def plan_targets(plan: Plan) -> QuerySet[Target]:
    return _targets().filter(indicator__plan=plan)


def task_targets(task: Task) -> QuerySet[Target]:
    return _targets().filter(task=task)


def department_targets(department: Department) -> QuerySet[Target]:
    """Targets whose indicator this unit reports."""
    return _targets().filter(indicator__reporting_department=department).select_related("indicator__plan")


def area_targets(area) -> QuerySet[Target]:
    return _targets().filter(task__area=area)


def all_targets() -> QuerySet[Target]:
    """Every plan's targets, for lists filtered by the caller (the API)."""
    return _targets().select_related("indicator__plan")
