"""Sending a queued robot message, retried with a growing wait (about 5 s, 10 s, 20 s, 40 s, 80 s, jittered), and the
periodic sweep that queues again the messages whose job was lost."""

from celery import shared_task

from .services import DeliveryFailed, requeue_stale_deliveries, send_delivery


@shared_task(bind=True, max_retries=None)
def deliver_webhook(self, delivery_id: int, tries_before: int | None = None) -> object:
    """The row counts the tries and gives up at services.MAX_ATTEMPTS, across retries and re-queued jobs alike.
    `tries_before` is None only for a job queued before it was passed.

    The retry is returned, not raised: a worker schedules it after the wait, and without a broker Celery's eager
    mode runs it at once instead of propagating it into the request or thread that queued the message."""
    try:
        return send_delivery(delivery_id=delivery_id, tries_before=tries_before)
    except DeliveryFailed as exc:
        return self.retry(args=(delivery_id, exc.tries), exc=exc, countdown=exc.wait, throw=False)


@shared_task
def requeue_stale_webhook_deliveries() -> dict:
    """Every few minutes (Celery beat): messages queued while the broker was down, or whose worker died, go out."""
    sweep = requeue_stale_deliveries()
    return {"requeued": sweep.requeued, "given_up": sweep.given_up}
