"""The targets section of an annual report: one row per target of the plan, as JSON the snapshot freezes."""

from __future__ import annotations

import datetime as dt

from indicators.models import Target
from results.selectors import target_results, target_results_known_on


def target_rows(plan, as_of, *, at: dt.datetime | None = None) -> list[dict]:
    """Every target of the plan as of a quarter: from the stored results, or with `at` as the figures known then
    (results.selectors.target_results_known_on, the engine's own rules on the versions known at that moment)."""
    results = target_results_known_on(plan, as_of, at=at) if at is not None else target_results(plan, as_of)
    rows = []
    targets = Target.objects.filter(indicator__plan=plan).select_related(
        "indicator__reporting_department", "task__area"
    )
    for target in targets.order_by("indicator__order", "order"):
        indicator, result = target.indicator, results.get(target.pk)
        rows.append(
            {
                "id": target.pk,
                "indicator": indicator.name,
                "unit": target.unit,
                "period": target.get_period_display(),
                "comparator": target.comparator,
                "comparator_label": target.get_comparator_display(),
                "target": target.display_value,
                "aspirational": target.is_aspirational,
                "quote": target.quote,
                "distinction": target.distinction,
                "task": target.task.code if target.task else "",  # targets of 主要目标 belong to no task
                "area_id": target.task.area_id if target.task else None,
                "department": indicator.reporting_department.name if indicator.reporting_department else "",
                "department_id": indicator.reporting_department_id,
                "baseline": result.baseline_value if result else None,  # the engine's, as the progress uses it
                "baseline_year": result.baseline_on.year if result and result.baseline_on else None,
                "status": result.status if result else "no_data",
                "target_value": result.target_value if result else None,
                "latest": result.latest_value if result else None,
                "latest_kind": result.latest_kind_label if result else "",  # 部门报送, 统计初步 or 统计核实
                "beside": result.figures_beside(indicator.unit) if result else "",  # the other kinds, when they differ
                "judged": result.judged_value if result else None,
                "progress": result.progress if result else None,
                "expected": result.expected if result else None,
                "forecast": result.forecast if result else None,
                "forecast_meets": result.forecast_meets if result else None,
            }
        )
    return rows
