"""Celery job: render an evaluation's PDF, a thin caller of services.generate_pdf."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)
def generate_report_pdf(file_id: int) -> int:
    return services.generate_pdf(file_id).pk


@shared_task
def expire_stale_report_files() -> int:
    """Every minute: rows of jobs that died are marked failed within minutes, so no page polls them for ever."""
    return services.expire_stale_files()
