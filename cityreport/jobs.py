"""Celery job: render a report to the city as PDF, a thin caller of services.generate_pdf."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)
def generate_city_report_pdf(file_id: int) -> int:
    return services.generate_pdf(file_id).pk
