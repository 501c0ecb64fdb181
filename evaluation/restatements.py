"""上期数据修订: figures restated after a year's report was made final, which change what that report said.

A final report freezes its targets (evaluation.snapshot). A later version of a figure (a reopened report approved
again, a provisional or final official figure, a revised release), or the withdrawal of one for correction, may
change a target's status or value as the report gave it. The next year's report lists each such target: as reported
then (from the frozen snapshot, never recomputed), as known now (the same rows built from the versions known at
`at`), and the versions that changed it, with when, by whom and from which document. The comparison is one pure
function (`differs`); everything else reads rows.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Q
from django.utils import timezone

from indicators.models import FIGURE_KIND_LABELS, Target
from tasks.models import IndicatorValue, ReportingPeriod

from .models import AnnualEvaluation
from .target_rows import target_rows

COMPARED = ("status", "latest", "judged")  # what a reader of the report took from a target's row


def differs(then: dict, now: dict) -> bool:
    """Whether a target's row says something else now: another status, or another value (latest or judged)."""
    for field in COMPARED:
        a, b = then.get(field), now.get(field)
        if isinstance(a, float | int) and isinstance(b, float | int):
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
                return True
        elif a != b:
            return True
    return False


def previous_final(plan, year: int) -> AnnualEvaluation | None:
    """The year before's evaluation, when it was made final (the one a restatement is measured against)."""
    return AnnualEvaluation.objects.filter(plan=plan, year=year - 1, is_final=True, snapshot__isnull=False).first()


def restatements_since(evaluation_final: AnnualEvaluation, *, at: dt.datetime) -> list[dict]:
    """The targets of a final report whose status or value the figures known at `at` change, each with the versions
    made known (or withdrawn) between its finalisation and `at` that did it; targets changed by anything else (a
    rule or the plan itself) are not restatements of data and are left out."""
    frozen = evaluation_final.snapshot or {}
    as_of = frozen.get("as_of")
    if not as_of:
        return []
    period = ReportingPeriod.objects.filter(year=as_of["year"], quarter=as_of["quarter"]).first()
    if period is None:
        return []
    plan = evaluation_final.plan
    changes = figure_changes(plan, period, after=evaluation_final.finalized_at, up_to=at)
    if not changes:
        return []
    indicator_of = dict(Target.objects.filter(indicator__plan=plan).values_list("pk", "indicator_id"))
    now = {row["id"]: row for row in target_rows(plan, period, at=at)}
    restated = []
    for then in frozen.get("targets", []):
        current = now.get(then["id"])
        why = changes.get(indicator_of.get(then["id"]))
        if current is None or not why or not differs(then, current):
            continue
        restated.append(
            {
                "target_id": then["id"],
                "indicator": then["indicator"],
                "period": then["period"],
                "unit": then["unit"],
                "then": _as_shown(then),
                "now": _as_shown(current),
                "changes": why,
            }
        )
    return restated


def figure_changes(plan, up_to_period: ReportingPeriod, *, after: dt.datetime, up_to: dt.datetime) -> dict[int, list]:
    """Per indicator, the versions of its figures up to the quarter that became known, or were withdrawn for
    correction without a known replacement, after `after` and by `up_to`: oldest first."""
    quarters = ReportingPeriod.objects.up_to(up_to_period)
    became_known = Q(valid_from__gt=after, valid_from__lte=up_to)
    withdrawn = Q(superseded_at__gt=after, superseded_at__lte=up_to) & (
        Q(superseded_by__isnull=True)
        | Q(superseded_by__valid_from__isnull=True)
        | Q(superseded_by__valid_from__gt=up_to)
    )
    rows = (
        IndicatorValue.objects.filter(indicator__plan=plan, period__in=quarters)
        .filter(became_known | withdrawn)
        .select_related("period", "recorded_by", "report__department", "superseded_by__recorded_by")
        .order_by("indicator_id", "valid_from", "pk")
    )
    by_indicator: dict[int, list] = {}
    for row in rows:
        by_indicator.setdefault(row.indicator_id, []).append(_change(row, after=after, up_to=up_to))
    for changes in by_indicator.values():
        changes.sort(key=lambda c: c["when"])
    return by_indicator


def _change(row: IndicatorValue, *, after, up_to) -> dict:
    """One version as the section prints it; a withdrawn one with who reopened it and why (its draft's record)."""
    known = row.valid_from is not None and after < row.valid_from <= up_to
    record = row if known or row.superseded_by is None else row.superseded_by
    if row.is_official:
        by, source = _name(record.recorded_by), row.source_line
    else:
        department = row.report.department.name if row.report_id else ""
        by, source = "、".join(n for n in (department, _name(record.recorded_by)) if n), row.data_source
    return {
        "quarter": f"{row.period.year}Q{row.period.quarter}",
        "kind": str(FIGURE_KIND_LABELS[row.kind]),
        "version": row.version,
        "value": float(row.value) if row.value is not None else None,
        "withdrawn": not known,
        "when": timezone.localtime(row.valid_from if known else row.superseded_at).strftime("%Y-%m-%d %H:%M"),
        "by": by,
        "source": source,
        "reason": record.reason,
    }


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _as_shown(row: dict) -> dict:
    return {k: row.get(k) for k in ("status", "latest", "latest_kind", "judged", "beside")}


def section(plan, year: int, *, at: dt.datetime) -> dict:
    """The next report's section: the previous year, when its report was made final (None: it was not, so there is
    nothing published to restate, and the section says so in one line), and the restated targets."""
    previous = previous_final(plan, year)
    if previous is None:
        return {"previous_year": year - 1, "finalized_at": None, "rows": []}
    return {
        "previous_year": year - 1,
        "finalized_at": timezone.localtime(previous.finalized_at).strftime("%Y-%m-%d %H:%M"),
        "rows": restatements_since(previous, at=at),
    }
