"""Reading the plan with the joins each page needs, so query counts do not grow with the plan."""

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from departments.models import Department, DepartmentKind

from .models import Area, Plan, Responsibility, Task


def responsibilities_in_order() -> Prefetch:
    return Prefetch(
        "responsibilities",
        queryset=Responsibility.objects.select_related("department").order_by("order"),
    )


def default_plan() -> Plan | None:
    """The plan pages open on when no plan is named: the configured one, else the first loaded (None: none yet)."""
    return Plan.objects.filter(code=settings.DEFAULT_PLAN_CODE).first() or Plan.objects.first()


def default_plan_or_404() -> Plan:
    plan = default_plan()
    if plan is None:
        raise Http404(_("No plan loaded."))
    return plan


def get_plan(code: str) -> Plan:
    return get_object_or_404(Plan.objects.select_related("jurisdiction"), code=code)


def plan_areas(plan: Plan) -> QuerySet[Area]:
    """Areas in order, each with its tasks, their departments and how many targets each task has."""
    tasks = Task.objects.annotate(target_count=Count("targets")).prefetch_related(responsibilities_in_order())
    return plan.areas.prefetch_related(Prefetch("tasks", queryset=tasks.order_by("number"))).order_by("order")


def get_task(plan: Plan, pk: int) -> Task:
    return get_object_or_404(
        Task.objects.select_related("area").prefetch_related(responsibilities_in_order()), area__plan=plan, pk=pk
    )


def department_responsibilities(department: Department) -> QuerySet[Responsibility]:
    """What a unit leads or co-owns, each task with its full list of departments."""
    return (
        department.responsibilities.select_related("task__area__plan")
        .prefetch_related(Prefetch("task__responsibilities", queryset=responsibilities_in_order().queryset))
        .order_by("task__area__plan", "task__area__order", "task__number")
    )


def departments_with_counts(jurisdiction_ids) -> QuerySet[Department]:
    """Units with how many tasks each leads and co-owns, for the department index."""
    return (
        Department.objects.filter(jurisdiction__in=jurisdiction_ids)
        .select_related("jurisdiction")
        .prefetch_related("aliases")
        .annotate(
            lead_count=Count("responsibilities", filter=Q(responsibilities__role=Responsibility.Role.LEAD)),
            co_count=Count("responsibilities", filter=Q(responsibilities__role=Responsibility.Role.CO)),
        )
        .order_by(kind_order(), "name")
    )


def kind_order() -> Case:
    """Agencies first, collective entries last: the order the office reads a list of units in."""
    return Case(
        *[When(kind=kind, then=Value(i)) for i, kind in enumerate(DepartmentKind.values)],
        output_field=IntegerField(),
    )
