"""Messages to group robots: queued once the change that caused them is committed, sent by a job with retries.

A request never waits for a robot: `notify` only writes a delivery row and, after the commit, hands its id to a
Celery job (a worker, or a background thread without a broker). Every try is counted on the row, with the last
error, so a robot that stopped answering shows in the admin.

A message is posted at most once: a try claims its row with one UPDATE before it posts, and a job that finds the
row taken, or tried since the job was queued, stops. A job that never ran (the broker was down when the message was
queued, or lost the job) leaves its row pending past its due time; `requeue_stale_deliveries`, run by Celery beat,
queues it again. A row left sending by a worker that died mid-post is given up rather than posted again: the robot
may already have the message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from departments.models import Department
from ninghe_carbon import background

from . import robots
from .models import Webhook, WebhookDelivery

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
# Tries of one message in all, its retries and any re-queued job's together: then it is given up as failed.
MAX_ATTEMPTS = 6
# A pending row this long past its due time has lost its job; above the broker's visibility timeout (5 minutes),
# after which the broker itself hands a dead worker's job to another.
REQUEUE_AFTER = dt.timedelta(minutes=10)
# A try posts within the robot's time-out (10 s): a row claimed this long ago lost its worker in the middle.
SENDING_LEASE = dt.timedelta(minutes=5)
INTERRUPTED = gettext_noop(
    "The worker stopped while posting this message; the robot may or may not have it. "
    "It is not posted again, so that no group gets a message twice."
)
Status = WebhookDelivery.Status


class DeliveryFailed(Exception):
    """A try that may succeed later (a 5xx, a time-out, a robot's rate limit): the job retries it after `wait`
    seconds, passing on `tries` so that only the retry, not a stale copy of the job, may claim the row."""

    def __init__(self, message: str, *, wait: float, tries: int):
        super().__init__(message)
        self.wait, self.tries = wait, tries


@dataclass(frozen=True)
class Sweep:
    requeued: int
    given_up: int


def notify(*, department: Department | None, event: str, title: str, text: str) -> list[WebhookDelivery]:
    """Queue one message to each active robot of the unit (or of the office, without a unit)."""
    hooks = Webhook.objects.filter(is_active=True)
    hooks = hooks.filter(department=department) if department else hooks.filter(department__isnull=True)
    deliveries = []
    for hook in hooks:
        delivery = WebhookDelivery.objects.create(webhook=hook, event=event, title=title[:200], text=text)
        transaction.on_commit(lambda pk=delivery.pk: _queue(pk, 0), robust=True)
        deliveries.append(delivery)
    return deliveries


def send_test(*, webhook: Webhook) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="test", title="测试消息", text="宁河区碳达峰进展跟踪系统：这是一条测试消息。"
    )
    transaction.on_commit(lambda pk=delivery.pk: _queue(pk, 0), robust=True)
    return delivery


def _queue(delivery_id: int, tries_before: int) -> None:
    from .jobs import deliver_webhook

    background.enqueue(deliver_webhook, delivery_id, tries_before)


def send_delivery(*, delivery_id: int, tries_before: int | None = None) -> str:
    """One try, if this call claims the row: it must be pending and, when `tries_before` is given, tried exactly
    that often (a job queued before a later try is stale). Returns the row's status; raises DeliveryFailed when the
    try failed and may be retried."""
    claimable = WebhookDelivery.objects.filter(pk=delivery_id, status=Status.PENDING)
    if tries_before is not None:
        claimable = claimable.filter(attempts=tries_before)
    if not claimable.update(status=Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1):
        return WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first() or ""
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    hook = delivery.webhook
    try:
        error, retryable = _post(hook, robots.payload(hook.kind, hook.message_format, delivery.title, delivery.text))
    except Exception as exc:  # the row must end sent, pending or failed, never stay claimed
        log.exception("Webhook %s: the try broke", hook.pk)
        error, retryable = f"{type(exc).__name__}: {exc}", False
    now = timezone.now()
    outcome = {"claimed_at": None, "last_error": ""}
    wait = 0.0
    if error is None:
        outcome.update(status=Status.SENT, sent_at=now)
    else:
        outcome["last_error"] = robots.scrub(error, url=hook.url, secret=hook.secret)[:2000]
        if retryable and delivery.attempts < MAX_ATTEMPTS:
            wait = get_exponential_backoff_interval(
                factor=5, retries=delivery.attempts - 1, maximum=600, full_jitter=True
            )
            outcome.update(status=Status.PENDING, next_try_at=now + dt.timedelta(seconds=wait))
        else:
            outcome.update(status=Status.FAILED)
    WebhookDelivery.objects.filter(pk=delivery_id).update(**outcome)
    if outcome["status"] == Status.PENDING:
        raise DeliveryFailed(outcome["last_error"], wait=wait, tries=delivery.attempts)
    if outcome["status"] == Status.FAILED:
        log.warning("Webhook %s gave up after %s tries: %s", hook.pk, delivery.attempts, outcome["last_error"])
    return outcome["status"]


def requeue_stale_deliveries(*, now: dt.datetime | None = None) -> Sweep:
    """Queue again each pending delivery whose job is lost (its due time long past), and give up each row whose
    worker died while posting. Safe to run at any time and twice: a re-queued job claims only the row as it was."""
    now = now or timezone.now()
    given_up = WebhookDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - SENDING_LEASE).update(
        status=Status.FAILED, claimed_at=None, last_error=_(INTERRUPTED)
    )
    requeued = 0
    stale = WebhookDelivery.objects.filter(status=Status.PENDING, next_try_at__lt=now - REQUEUE_AFTER)
    for pk, attempts in stale.values_list("pk", "attempts"):
        # due again in REQUEUE_AFTER: should this job be lost too, a later sweep queues it once more
        if WebhookDelivery.objects.filter(pk=pk, status=Status.PENDING, attempts=attempts).update(next_try_at=now):
            try:
                _queue(pk, attempts)
            except Exception:  # the broker is still away: the row stays due for the next sweep
                log.exception("Could not queue webhook delivery %s again", pk)
            else:
                requeued += 1
    if requeued or given_up:
        log.warning("Webhook deliveries: %s queued again, %s given up after their worker died", requeued, given_up)
    return Sweep(requeued=requeued, given_up=given_up)


def _post(hook: Webhook, body: dict) -> tuple[str | None, bool]:
    """(None, _) when the robot took the message, else (the error, whether a later try may succeed)."""
    url = hook.url
    if hook.kind == Webhook.Kind.DINGTALK and hook.secret:
        url = robots.signed_url(url, hook.secret, int(timezone.now().timestamp() * 1000))
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=getattr(settings, "WEBHOOK_TIMEOUT", TIMEOUT_SECONDS)) as response:
            content = response.read(10_000)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode(errors="replace")
        return f"HTTP {exc.code}: {detail}", exc.code >= 500 or exc.code == 429
    except (urllib.error.URLError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}", True
    try:
        answer = json.loads(content or b"{}")
    except ValueError:
        answer = {}
    errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if errcode:
        return f"errcode {errcode}: {answer.get('errmsg', '')}", True
    return None, False
