"""Messages to group robots: queued once the change that caused them is committed, sent by a job with retries.

A request never waits for a robot: `notify` only writes a delivery row and, after the commit, hands its id to a
Celery job (a worker, or a background thread without a broker). Every try is counted on the row, with the last
error, so a robot that stopped answering shows in the admin.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from departments.models import Department
from ninghe_carbon import background

from . import robots
from .models import Webhook, WebhookDelivery

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    """A try that may succeed later (a 5xx, a time-out, a robot's rate limit): the job retries it."""


def notify(*, department: Department | None, event: str, title: str, text: str) -> list[WebhookDelivery]:
    """Queue one message to each active robot of the unit (or of the office, without a unit)."""
    hooks = Webhook.objects.filter(is_active=True)
    hooks = hooks.filter(department=department) if department else hooks.filter(department__isnull=True)
    deliveries = []
    for hook in hooks:
        delivery = WebhookDelivery.objects.create(webhook=hook, event=event, title=title[:200], text=text)
        transaction.on_commit(lambda pk=delivery.pk: _queue(pk), robust=True)
        deliveries.append(delivery)
    return deliveries


def send_test(*, webhook: Webhook) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="test", title="测试消息", text="宁河区碳达峰进展跟踪系统：这是一条测试消息。"
    )
    transaction.on_commit(lambda pk=delivery.pk: _queue(pk), robust=True)
    return delivery


def _queue(delivery_id: int) -> None:
    from .jobs import deliver_webhook

    background.enqueue(deliver_webhook, delivery_id)


def send_delivery(*, delivery_id: int, last_try: bool) -> str:
    """One try. Raises DeliveryFailed when it may be retried and this was not the last try; returns the status."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status if delivery else ""
    hook = delivery.webhook
    delivery.attempts += 1
    error, retryable = _post(hook, robots.payload(hook.kind, hook.message_format, delivery.title, delivery.text))
    if error is None:
        delivery.status, delivery.sent_at, delivery.last_error = WebhookDelivery.Status.SENT, timezone.now(), ""
    else:
        delivery.last_error = robots.scrub(error, url=hook.url, secret=hook.secret)[:2000]
        if not retryable or last_try:
            delivery.status = WebhookDelivery.Status.FAILED
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise DeliveryFailed(delivery.last_error)
    if delivery.status == WebhookDelivery.Status.FAILED:
        log.warning("Webhook %s gave up after %s tries: %s", hook.pk, delivery.attempts, delivery.last_error)
    return delivery.status


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
