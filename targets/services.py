"""Loading a plan text into the database: all of it, or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from departments.models import Jurisdiction
from departments.services import resolve_department

from .models import Area, Plan, PlanSection, Responsibility, Task
from .plan_text import ParsedPlan

JURISDICTION_SUFFIX = "人民政府"


class PlanImportError(ValueError):
    """A refusal that leaves the database as it was."""


@dataclass
class ImportResult:
    plan: Plan
    areas: int
    tasks: int
    departments_created: list[str]


def jurisdiction_name_from_issuer(issuer: str) -> str:
    """天津市宁河区人民政府 issues for 天津市宁河区."""
    return issuer.removesuffix(JURISDICTION_SUFFIX) or issuer


@transaction.atomic
def import_plan(
    *, parsed: ParsedPlan, source_text: str, code: str, jurisdiction_name: str = "", replace: bool = False
) -> ImportResult:
    existing = Plan.objects.filter(code=code).first()
    if existing and not replace:
        raise PlanImportError(f"方案代码“{code}”已存在；如需用新文本替换，请加 --replace。")
    if existing:
        existing.delete()

    name = jurisdiction_name or jurisdiction_name_from_issuer(parsed.issuer)
    if not name:
        raise PlanImportError("无法从发文机关识别所属辖区，请用 --jurisdiction 指定。")
    jurisdiction, _ = Jurisdiction.objects.get_or_create(name=name)
    plan = Plan.objects.create(
        code=code,
        title=parsed.title,
        jurisdiction=jurisdiction,
        issuer=parsed.issuer,
        issued_on=parsed.issued_on,
        preamble=parsed.preamble,
        source_text=source_text,
    )
    PlanSection.objects.bulk_create(
        PlanSection(plan=plan, part=s.part, order=i, heading=s.heading, body=s.body)
        for i, s in enumerate(parsed.sections, start=1)
    )
    created: list[str] = []
    task_count = 0
    for order, parsed_area in enumerate(parsed.areas, start=1):
        area = Area.objects.create(
            plan=plan,
            kind=parsed_area.kind,
            order=order,
            number=parsed_area.number,
            title=parsed_area.title,
            intro=parsed_area.intro,
        )
        for parsed_task in parsed_area.tasks:
            task = Task.objects.create(
                area=area,
                number=parsed_task.number,
                title=parsed_task.title,
                body=parsed_task.body,
                responsibility_text=parsed_task.responsibility_text,
                source_line=parsed_task.line,
            )
            task_count += 1
            _add_responsibilities(task, parsed_task.departments, jurisdiction, created)
    return ImportResult(plan=plan, areas=len(parsed.areas), tasks=task_count, departments_created=created)


def _add_responsibilities(task: Task, names: list[str], jurisdiction: Jurisdiction, created: list[str]) -> None:
    seen = set()
    rows = []
    for order, name in enumerate(names, start=1):
        department, is_new = resolve_department(jurisdiction=jurisdiction, name=name)
        if is_new:
            created.append(department.name)
        if department.pk in seen:
            raise PlanImportError(f"任务 {task.code} 的责任单位中“{name}”与前面的单位是同一单位。")
        seen.add(department.pk)
        role = Responsibility.Role.LEAD if order == 1 else Responsibility.Role.CO
        rows.append(Responsibility(task=task, department=department, role=role, order=order, name_as_written=name))
    Responsibility.objects.bulk_create(rows)
