"""Sending a queued robot message, retried with a growing wait (about 5 s, 10 s, 20 s, 40 s, 80 s, jittered)."""

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from .services import DeliveryFailed, send_delivery

MAX_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES)
def deliver_webhook(self, delivery_id: int) -> object:
    """The retry is returned, not raised: a worker schedules it after the wait, and without a broker Celery's eager
    mode runs it at once instead of propagating it into the request or thread that queued the message."""
    try:
        return send_delivery(delivery_id=delivery_id, last_try=self.request.retries >= MAX_RETRIES)
    except DeliveryFailed as exc:
        wait = get_exponential_backoff_interval(factor=5, retries=self.request.retries, maximum=600, full_jitter=True)
        return self.retry(exc=exc, countdown=wait, throw=False)
