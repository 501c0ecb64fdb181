"""Celery jobs of the supervision app: thin callers, idempotent, each run recorded (supervision.overdue)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import overdue

RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": True, "max_retries": 6}


@shared_task(**RETRY)
def announce_overdue_notices() -> int:
    return overdue.announce_overdue(today=timezone.localdate())
