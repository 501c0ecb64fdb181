"""Loading the hand-curated indicators and targets, checked against the plan's own words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import ProtectedError

from departments.services import find_department
from targets.models import Plan, Task

from .models import NUMERIC_COMPARATORS, Comparator, Indicator, Period, Target

MAIN_OBJECTIVES = "主要目标"


class TargetFixtureError(ValueError):
    """Every problem found in a targets file, so one pass fixes them all."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class TargetLoadResult:
    indicators: int
    targets: int


PERCENT_RANGE = (Decimal(0), Decimal(100))


def plausible_range(raw: dict) -> tuple[Decimal | None, Decimal | None]:
    """Shares lie in 0–100 % unless the file says otherwise (a decline rate can be negative)."""
    low, high = PERCENT_RANGE if raw.get("unit") == "%" else (None, None)
    if "min" in raw:
        low = None if raw["min"] is None else Decimal(str(raw["min"]))
    if "max" in raw:
        high = None if raw["max"] is None else Decimal(str(raw["max"]))
    return low, high


def _format_number(value) -> str:
    return format(Decimal(str(value)).normalize(), "f")


class _Loader:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.problems: list[str] = []
        self.tasks = {
            f"{t.area.number}.{t.number}": t
            for t in Task.objects.filter(area__plan=plan, area__number__isnull=False)
            .select_related("area")
            .prefetch_related("responsibilities__department")
        }
        self.tasks_lead = {
            r.task_id: r.department for t in self.tasks.values() for r in t.responsibilities.all() if r.role == "lead"
        }
        main = plan.sections.filter(heading=MAIN_OBJECTIVES).first()
        self.main_objectives_text = main.body if main else ""

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}：{message}")

    def target(self, where: str, raw: dict, indicator: Indicator, order: int) -> Target | None:
        task = None
        if raw.get("task"):
            task = self.tasks.get(str(raw["task"]))
            if task is None:
                self.problem(where, f"方案中没有任务 {raw['task']}。")
                return None
            source = task.full_text
        elif raw.get("section") == MAIN_OBJECTIVES:
            source = self.main_objectives_text
        else:
            self.problem(where, f"须注明 task（如 2.2）或 section: {MAIN_OBJECTIVES}。")
            return None
        quote = raw.get("quote") or ""
        if not quote or quote not in source:
            self.problem(where, f"引文不是方案原文（或不在所注明的任务中）：“{quote}”")
        try:
            period = Period(str(raw.get("period")))
            comparator = Comparator(raw.get("comparator"))
        except ValueError as exc:
            self.problem(where, str(exc))
            return None
        value = raw.get("value")
        if value is not None:
            try:
                value = Decimal(str(value))
            except InvalidOperation:
                self.problem(where, f"数值“{value}”不是数字。")
                return None
            if _format_number(value) not in quote:
                self.problem(where, f"数值 {_format_number(value)} 未出现在引文中。")
        if comparator in NUMERIC_COMPARATORS and value is None:
            self.problem(where, f"比较方式 {comparator.label} 需要数值。")
        return Target(
            indicator=indicator,
            task=task,
            period=period,
            comparator=comparator,
            value=value,
            baseline_year=raw.get("baseline_year"),
            is_aspirational=bool(raw.get("aspirational")),
            reference=raw.get("reference") or "",
            quote=quote,
            order=order,
        )

    def reporter(self, where: str, raw: dict, targets: list[dict]):
        if raw.get("reporter"):
            department = find_department(self.plan.jurisdiction, raw["reporter"])
            if department is None:
                self.problem(where, f"没有名为“{raw['reporter']}”的责任单位。")
            return department
        first_task = next((self.tasks.get(str(t["task"])) for t in targets if t.get("task")), None)
        if first_task is None:
            self.problem(where, "指标的目标都不属于任务，须用 reporter 指定报送单位。")
            return None
        return self.tasks_lead.get(first_task.pk)


@transaction.atomic
def load_targets(*, plan: Plan, data: dict) -> TargetLoadResult:
    """Create or refresh the plan's indicators and targets; a department the office set is kept."""
    loader = _Loader(plan)
    indicators = data.get("indicators") or []
    if not indicators:
        raise TargetFixtureError(["文件中没有任何指标（indicators）。"])
    seen_codes: set[str] = set()
    pending: list[tuple[dict, list[Target], object]] = []
    for i, raw in enumerate(indicators, start=1):
        where = f"指标 {raw.get('code') or i}"
        if raw.get("code") in seen_codes:
            loader.problem(where, "指标代码重复。")
        seen_codes.add(raw.get("code"))
        for key in ("code", "name", "value_kind", "direction"):
            if not raw.get(key):
                loader.problem(where, f"缺少字段 {key}。")
        raw_targets = raw.get("targets") or []
        if not raw_targets:
            loader.problem(where, "没有目标。")
        placeholder = Indicator(plan=plan)
        targets = [
            t
            for j, raw_target in enumerate(raw_targets, start=1)
            if (t := loader.target(f"{where} 目标 {j}", raw_target, placeholder, j)) is not None
        ]
        pending.append((raw, targets, loader.reporter(where, raw, raw_targets)))
    if loader.problems:
        raise TargetFixtureError(loader.problems)

    target_count = 0
    for order, (raw, targets, reporter) in enumerate(pending, start=1):
        indicator, created = Indicator.objects.get_or_create(
            plan=plan,
            code=raw["code"],
            defaults={"reporting_department": reporter, "order": order, "value_kind": raw["value_kind"]},
        )
        indicator.name = raw["name"]
        indicator.unit = raw.get("unit") or ""
        indicator.value_kind = Indicator.ValueKind(raw["value_kind"])
        indicator.direction = Indicator.Direction(raw["direction"])
        indicator.order = order
        if created:
            indicator.min_value, indicator.max_value = plausible_range(raw)
        indicator.full_clean(exclude=["reporting_department"])
        indicator.save()
        _replace_targets(indicator, targets)
        target_count += len(targets)
    Indicator.objects.filter(plan=plan).exclude(code__in=seen_codes).delete()
    return TargetLoadResult(indicators=len(pending), targets=target_count)


# What a reload may change in a target; the office's entries for a city-assigned value stay (see _replace_targets).
TARGET_FIELDS = [f.name for f in Target._meta.concrete_fields if f.name not in ("id", "indicator", "order")]


def _replace_targets(indicator: Indicator, targets: list[Target]) -> None:
    """The indicator's targets become the file's, updated in place by their order: notices, meeting topics and
    results keep pointing at the same rows, and a value the office entered for a target the city assigns (the file
    has none) is kept. A target gone from the file is deleted unless something still refers to it."""
    existing = {t.order: t for t in indicator.targets.all()}
    updated, created = [], []
    for target in targets:
        target.indicator = indicator
        old = existing.pop(target.order, None)
        if old is None:
            created.append(target)
            continue
        if target.value is None and old.value is not None:
            target.value, target.assigned_document = old.value, old.assigned_document
        target.pk = old.pk
        updated.append(target)
    Target.objects.bulk_update(updated, TARGET_FIELDS)
    Target.objects.bulk_create(created)
    try:
        Target.objects.filter(pk__in=[t.pk for t in existing.values()]).delete()
    except ProtectedError as exc:
        gone = "、".join(str(t) for t in existing.values())
        raise TargetFixtureError([f"{indicator.name}: 文件中已没有目标 {gone}，但仍有督办单等记录引用它们"]) from exc
