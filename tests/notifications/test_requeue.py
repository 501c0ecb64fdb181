"""Messages whose job was lost go out later: a periodic job (Celery beat) queues again each delivery left pending
past its due time, gives up a row whose worker died mid-post rather than post it twice, and stops a robot that
keeps failing at the attempts limit, with its error where the office reads the deliveries."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from ninghe_carbon import background
from ninghe_carbon.celery import app
from notifications.jobs import requeue_stale_webhook_deliveries
from notifications.models import Webhook, WebhookDelivery
from notifications.services import MAX_ATTEMPTS, REQUEUE_AFTER, SENDING_LEASE, notify, requeue_stale_deliveries

pytestmark = pytest.mark.django_db

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


@pytest.fixture
def hook(robot) -> Webhook:
    return Webhook.objects.create(
        name="办公室企业微信群", kind="wecom", url=f"{robot.url}/cgi-bin/webhook/send?key={WECOM_KEY}"
    )


def left_behind(hook, **fields) -> WebhookDelivery:
    """A delivery whose job is gone: written directly, no job queued."""
    return WebhookDelivery.objects.create(
        webhook=hook, event="test", title="【督办】提醒", text="请于期限内反馈。", **fields
    )


def test_a_message_queued_while_the_broker_was_down_goes_out_after_the_grace_period(
    hook, robot, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(task, *args):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(background, "enqueue", broker_down)
        with django_capture_on_commit_callbacks(execute=True):  # the request's commit survives the failed queueing
            [delivery] = notify(department=None, event="test", title="【督办】提醒", text="请于期限内反馈。")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, robot.received) == ("pending", 0, [])
    now = timezone.now()

    assert requeue_stale_deliveries(now=now + REQUEUE_AFTER - dt.timedelta(seconds=5)).requeued == 0
    assert robot.received == []

    sweep = requeue_stale_deliveries(now=now + REQUEUE_AFTER + dt.timedelta(seconds=5))

    assert (sweep.requeued, sweep.given_up) == (1, 0)
    [post] = robot.received
    assert post.body["markdown"]["content"] == "**【督办】提醒**\n请于期限内反馈。"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert requeue_stale_deliveries(now=now + 3 * REQUEUE_AFTER).requeued == 0
    assert len(robot.received) == 1


def test_a_retry_still_waiting_for_its_turn_is_left_to_its_own_job(hook, robot):
    now = timezone.now()
    waiting = left_behind(
        hook, attempts=2, last_error="HTTP 502: bad gateway", next_try_at=now + dt.timedelta(minutes=8)
    )

    assert requeue_stale_deliveries(now=now + REQUEUE_AFTER).requeued == 0

    assert robot.received == []
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == ("pending", 2)


def test_a_robot_that_keeps_failing_ends_failed_at_the_attempts_limit_across_requeues(hook, robot):
    """Two tries were made before the worker's retry was lost; the re-queued job makes the rest, no more."""
    robot.answers = [(502, {"error": "bad gateway"})] * (MAX_ATTEMPTS + 3)
    now = timezone.now()
    delivery = left_behind(hook, attempts=2, last_error="HTTP 502: bad gateway", next_try_at=now - REQUEUE_AFTER)

    requeue_stale_deliveries(now=now + dt.timedelta(seconds=1))

    assert len(robot.received) == MAX_ATTEMPTS - 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert delivery.last_error.startswith("HTTP 502:") and WECOM_KEY not in delivery.last_error
    assert requeue_stale_deliveries(now=now + 5 * REQUEUE_AFTER).requeued == 0
    assert len(robot.received) == MAX_ATTEMPTS - 2


def test_a_row_left_sending_by_a_dead_worker_is_given_up_and_not_posted_again(hook, robot):
    now = timezone.now()
    dead = left_behind(hook, status="sending", attempts=1, claimed_at=now - SENDING_LEASE - dt.timedelta(seconds=1))
    busy = left_behind(hook, status="sending", attempts=1, claimed_at=now - dt.timedelta(seconds=20))

    sweep = requeue_stale_deliveries(now=now)

    assert (sweep.requeued, sweep.given_up) == (0, 1)
    assert robot.received == []
    dead.refresh_from_db()
    busy.refresh_from_db()
    assert dead.status == "failed" and "可能已收到" in dead.last_error
    assert (busy.status, busy.last_error) == ("sending", "")


def test_the_office_sees_the_failure_and_its_error_in_the_deliveries_list(hook, robot, office_client):
    robot.answers = [(404, {"errmsg": "invalid webhook url"})]
    left_behind(hook, attempts=1, last_error="HTTP 502: bad gateway", next_try_at=timezone.now() - 2 * REQUEUE_AFTER)

    html = office_client.get(reverse("admin:notifications_webhookdelivery_changelist")).content.decode()

    assert len(robot.received) == 1  # without a broker, reading the list runs the sweep that beat runs
    assert "失败" in html and "HTTP 404:" in html and "invalid webhook url" in html
    assert WECOM_KEY not in html


def test_the_beat_schedule_runs_the_sweep_every_few_minutes(hook, robot):
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("requeue_stale_webhook_deliveries")
    ]
    assert entry["task"] in app.tasks and entry["schedule"] <= REQUEUE_AFTER.total_seconds()
    left_behind(hook, next_try_at=timezone.now())

    with time_machine.travel(timezone.now() + REQUEUE_AFTER + dt.timedelta(minutes=1)):
        result = requeue_stale_webhook_deliveries.delay().get()

    assert result == {"requeued": 1, "given_up": 0}
    assert WebhookDelivery.objects.get().status == "sent"
