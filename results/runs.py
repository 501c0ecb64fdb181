"""Keeping ComputationRun small: a year of runs row by row, older ones summed up by month, kind and plan.

A nightly and an incremental run per approval make some 110,000 rows a year at N = 300 plans; every lookup of
the newest run then read more of them. What the engine still needs of an old run is kept whatever its age: each
plan's latest trusted full run, whose inputs the next nightly run compares with (results.fingerprints).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Max
from django.db.models.functions import TruncMonth

from .models import ComputationRun, RunSummary

KEEP = dt.timedelta(days=365)


def still_needed() -> list[int]:
    """The run of each plan that results.fingerprints.last_full_runs would pick."""
    trusted = ComputationRun.objects.filter(kind=ComputationRun.Kind.FULL, finished_at__isnull=False, error="")
    return list(trusted.order_by().values("plan_id").annotate(last=Max("pk")).values_list("last", flat=True))


def prune_runs(*, now: dt.datetime, keep: dt.timedelta = KEEP) -> int:
    """Sum up and delete the runs started before `now - keep`, in one transaction; returns how many went."""
    with transaction.atomic():
        old = ComputationRun.objects.filter(started_at__lt=now - keep).exclude(pk__in=still_needed())
        rows = old.annotate(month=TruncMonth("started_at")).values_list(
            "month", "kind", "plan_id", "started_at", "finished_at", "error", "rows_written"
        )
        totals: dict[tuple, dict] = defaultdict(lambda: dict(runs=0, failed=0, unfinished=0, rows=0, seconds=0.0))
        for month, kind, plan_id, started, finished, error, written in rows.order_by():
            total = totals[(month.date() if isinstance(month, dt.datetime) else month, kind, plan_id)]
            total["runs"] += 1
            total["failed"] += bool(error)
            total["unfinished"] += finished is None and not error
            total["rows"] += written
            if finished is not None:
                total["seconds"] += (finished - started).total_seconds()
        for (month, kind, plan_id), total in totals.items():
            summary, _ = RunSummary.objects.select_for_update().get_or_create(month=month, kind=kind, plan_id=plan_id)
            summary.runs += total["runs"]
            summary.failed += total["failed"]
            summary.unfinished += total["unfinished"]
            summary.rows_written += total["rows"]
            summary.seconds += total["seconds"]
            summary.save()
        deleted, _ = old.delete()
    return deleted
