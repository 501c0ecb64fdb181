"""Celery jobs: thin callers of results.services. They take ids, are idempotent, and record each run."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from targets.models import Plan
from tasks.models import QuarterlyReport, ReportingPeriod

from . import overdue, runs, services
from .models import PendingRecompute

DB_ERRORS = (OperationalError, InterfaceError)
RETRY = {"autoretry_for": DB_ERRORS, "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 6}


@shared_task(**RETRY)
def process_pending_recomputes() -> int:
    """Work off the queue of approvals; concurrent workers skip rows another worker holds."""
    done = 0
    while True:
        with transaction.atomic():
            pending = (
                PendingRecompute.objects.select_for_update(skip_locked=True)
                .filter(processed_at__isnull=True)
                .order_by("pk")
                .first()
            )
            if pending is None:
                return done
            report = QuarterlyReport.objects.select_related("plan", "period").get(pk=pending.report_id)
            services.recompute_for_report(report)
            PendingRecompute.objects.filter(report_id=pending.report_id, processed_at__isnull=True).update(
                processed_at=timezone.now()
            )
            done += 1


@shared_task(**RETRY)
def recompute_figures(plan_id: int, indicator_ids: list[int], period_id: int) -> int:
    """After official figures were recorded; if it never runs, the nightly run sees them (results.fingerprints)."""
    plan = Plan.objects.get(pk=plan_id)
    period = ReportingPeriod.objects.get(pk=period_id)
    return services.recompute_for_figures(plan, set(indicator_ids), period)


@shared_task(**RETRY)
def full_recompute(plan_id: int | None = None, force: bool = False) -> int:
    """The nightly safety net: every plan (or one), every quarter; unchanged rows are left alone, and so are
    plans whose inputs have not changed since their last full recompute, and the quarters before the earliest
    changed report of a plan whose reports alone changed, unless `force` (the weekly run). A plan a crashed run
    left STARTED is recomputed in full (results.models.FillState)."""
    plans = Plan.objects.filter(pk=plan_id) if plan_id else Plan.objects.all()
    started = timezone.now()
    written = services.recompute_plans(plans, force=force).written
    PendingRecompute.objects.filter(processed_at__isnull=True, created_at__lte=started).update(
        processed_at=timezone.now()
    )
    return written


@shared_task(**RETRY)
def detect_overdue_reports() -> int:
    return overdue.detect_overdue(today=timezone.localdate())


@shared_task(**RETRY)
def prune_computation_runs() -> int:
    """Daily: a year of runs row by row, the older ones summed up by month (results.runs)."""
    return runs.prune_runs(now=timezone.now())
