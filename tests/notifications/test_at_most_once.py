"""A robot message is posted at most once: the delivery row is claimed by one atomic UPDATE before the post, so a
second run of the job (a broker that delivers a job twice, a retry racing a re-queue, two workers) finds it taken.

The robot is the local HTTP server of conftest.py; each test counts the posts that reached it."""

import threading

import pytest

from notifications.models import Webhook, WebhookDelivery
from notifications.services import send_delivery

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def queued(robot) -> WebhookDelivery:
    """A pending delivery written without queueing its job: each test runs the job itself."""
    hook = Webhook.objects.create(
        name="办公室企业微信群", kind="wecom", url=f"{robot.url}/cgi-bin/webhook/send?key={WECOM_KEY}"
    )
    return WebhookDelivery.objects.create(
        webhook=hook, event="test", title="【督办】宁碳督〔2026〕1号", text="请于期限内反馈。"
    )


@pytest.mark.django_db
def test_running_the_send_twice_posts_once(robot):
    delivery = queued(robot)

    first = send_delivery(delivery_id=delivery.pk)
    second = send_delivery(delivery_id=delivery.pk)

    assert (first, second) == ("sent", "sent")
    assert len(robot.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_finds_the_delivery_claimed_while_the_first_is_still_posting(robot):
    """The first worker's post is held at the robot (the row is claimed, no answer yet); a second worker runs the
    same delivery on its own connection meanwhile and must not post it."""
    delivery = queued(robot)
    robot.hold = threading.Event()
    outcome = {}
    first = threading.Thread(target=lambda: outcome.update(first=send_delivery(delivery_id=delivery.pk)))
    first.start()
    assert robot.arrived.wait(timeout=30)

    outcome["second"] = send_delivery(delivery_id=delivery.pk)
    robot.hold.set()
    first.join(timeout=30)

    assert outcome == {"first": "sent", "second": "sending"}
    assert len(robot.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


@pytest.mark.django_db(transaction=True)
def test_two_workers_started_together_post_once(robot):
    """Two threads, each with its own database connection, reach the claim at the same moment."""
    from django.db import connection

    delivery = queued(robot)
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        start.wait(timeout=30)
        try:
            outcomes.append(send_delivery(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(robot.received) == 1
    assert sorted(outcomes) in (["sending", "sent"], ["sent", "sent"])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_a_stale_job_arriving_after_a_later_try_posts_nothing(robot):
    """The first try failed and its retry is scheduled; a copy of the first job (re-queued, or delivered twice by the
    broker) comes now: it expected an untried row, so it leaves the row to the retry."""
    delivery = queued(robot)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=1, last_error="HTTP 502: bad gateway")

    assert send_delivery(delivery_id=delivery.pk, tries_before=0) == "pending"
    assert robot.received == []

    assert send_delivery(delivery_id=delivery.pk, tries_before=1) == "sent"
    assert len(robot.received) == 1
