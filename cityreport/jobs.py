"""Celery job: render a report to the city as PDF, a thin caller of services.generate_pdf."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)
def generate_city_report_pdf(file_id: int) -> int:
    return services.generate_pdf(file_id).pk


@shared_task
def expire_stale_city_report_files() -> int:
    """Every minute, with a worker: a row whose job died is marked failed within minutes."""
    return services.expire_stale_files()
