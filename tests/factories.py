"""factory_boy factories for synthetic plans; the official plan itself comes from the fixtures."""

import factory

from departments.models import Department, DepartmentKind, Jurisdiction
from indicators.models import Comparator, Indicator, Period, Target
from targets.models import Area, Plan, Responsibility, Task


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction

    name = factory.Sequence(lambda n: f"测试区{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    name = factory.Sequence(lambda n: f"区测试局{n}")
    kind = DepartmentKind.DISTRICT_AGENCY


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"plan-{n}")
    title = factory.Sequence(lambda n: f"测试区碳达峰实施方案{n}")
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    issuer = "测试区人民政府"
    source_text = "（测试）"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    plan = factory.SubFactory(PlanFactory)
    kind = Area.Kind.ACTION
    order = factory.Sequence(lambda n: n + 1)
    number = factory.SelfAttribute("order")
    title = factory.Sequence(lambda n: f"测试行动{n}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    area = factory.SubFactory(AreaFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"测试任务{n}")
    body = "正文。"
    responsibility_text = "区测试局按职责分工负责"


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    task = factory.SubFactory(TaskFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = Responsibility.Role.LEAD
    order = 1
    name_as_written = factory.SelfAttribute("department.name")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"indicator-{n}")
    name = factory.Sequence(lambda n: f"测试指标{n}")
    unit = "%"
    value_kind = Indicator.ValueKind.RATE
    direction = Indicator.Direction.UP
    reporting_department = factory.SubFactory(DepartmentFactory)
    order = factory.Sequence(lambda n: n + 1)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    period = Period.Y2025
    comparator = Comparator.GTE
    value = 10
    quote = "到2025年达到10%"
    order = 1


def build_plan(*, areas: int, tasks_per_area: int, departments: int = 8) -> Plan:
    """A synthetic plan of a chosen size, to check that query counts do not grow with it."""
    plan = PlanFactory()
    units = [DepartmentFactory(jurisdiction=plan.jurisdiction) for _ in range(departments)]
    for a in range(1, areas + 1):
        area = AreaFactory(plan=plan, order=a, number=a)
        for t in range(1, tasks_per_area + 1):
            task = TaskFactory(area=area, number=t)
            for position, unit in enumerate(units[:3], start=1):
                role = Responsibility.Role.LEAD if position == 1 else Responsibility.Role.CO
                ResponsibilityFactory(task=task, department=unit, role=role, order=position)
            indicator = IndicatorFactory(plan=plan, reporting_department=units[0])
            TargetFactory(indicator=indicator, task=task)
    return plan


def percent_down_flag(report, *, update=None):
    """An open check prompt on the report's first task (or `update`'s): 60 % in 2025 Q4, 40 % now."""
    from django.utils import timezone

    from tasks.models import QualityFlag

    update = update or report.task_updates.order_by("pk").first()
    return QualityFlag.objects.create(
        report=report,
        kind=QualityFlag.Kind.PERCENT_DOWN,
        task=update.task,
        detail={"before": 60, "after": 40, "year": 2025, "quarter": 4},
        computed_at=timezone.now(),
    )


def write_target_result(target, period, **fields) -> None:
    """Set a target's result as of a quarter, as a test's given: through the target's series, since the per-quarter
    table is a view over it (results.series). A quarter with no result yet starts from an empty one."""
    from django.utils import timezone

    from results.engine.rows import TargetRow
    from results.engine.write import fold, unfold
    from results.models import TargetSeries
    from results.series import quarter_index

    empty = TargetRow(
        **{**dict.fromkeys(TargetRow._fields), "latest_kind": "", "latest_figures": {}, "judged_kind": ""}
    )
    series = TargetSeries.objects.filter(target=target).first()
    rows = {}
    if series is not None:
        rows = unfold(series.first_quarter, [getattr(series, name) for name in TargetRow._fields], TargetRow._make)
    position = quarter_index(period.year, period.quarter)
    rows[position] = rows.get(position, empty)._replace(**fields)
    first, columns = fold(rows, len(TargetRow._fields))
    TargetSeries.objects.update_or_create(
        target=target,
        defaults={
            "first_quarter": first,
            "computed_at": timezone.now(),
            **dict(zip(TargetRow._fields, columns, strict=True)),
        },
    )


def update_target_results(results, **fields) -> None:
    """`QuerySet.update` for the results of a view (TargetResult): each one written through its series."""
    for result in list(results.select_related("target", "period")):
        write_target_result(result.target, result.period, **fields)
