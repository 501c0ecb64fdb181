"""Group-robot messages: the robots' formats, DingTalk's signature, retries, the record of each delivery, the admin
that never shows a secret back, and a request that queues a message without waiting for it.

Every message goes to a real HTTP server the test starts on 127.0.0.1 (conftest.py)."""

import base64
import datetime as dt
import hashlib
import hmac
import threading
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Webhook, WebhookDelivery
from notifications.services import MAX_ATTEMPTS, notify
from results.overdue import detect_overdue

pytestmark = pytest.mark.django_db

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "c3b7e4d2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4"
DING_SECRET = "SEC8f3b2a1c9d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1"


def wecom(robot, **kwargs) -> Webhook:
    return Webhook.objects.create(
        name="办公室企业微信群", kind="wecom", url=f"{robot.url}/cgi-bin/webhook/send?key={WECOM_KEY}", **kwargs
    )


def dingtalk(robot, **kwargs) -> Webhook:
    return Webhook.objects.create(
        name="办公室钉钉群",
        kind="dingtalk",
        url=f"{robot.url}/robot/send?access_token={DING_TOKEN}",
        secret=DING_SECRET,
        **kwargs,
    )


def send(django_capture_on_commit_callbacks, **kwargs) -> list[WebhookDelivery]:
    with django_capture_on_commit_callbacks(execute=True):
        deliveries = notify(department=None, event="test", **kwargs)
    return [WebhookDelivery.objects.get(pk=d.pk) for d in deliveries]


def test_wecom_robot_gets_markdown_in_its_format(robot, django_capture_on_commit_callbacks):
    wecom(robot)

    [delivery] = send(django_capture_on_commit_callbacks, title="[重大问题] 区发展改革委", text="2.1 资金缺口较大")

    [post] = robot.received
    assert post.path == "/cgi-bin/webhook/send" and post.query == {"key": WECOM_KEY}
    assert post.headers["Content-Type"] == "application/json; charset=utf-8"
    assert post.body == {
        "msgtype": "markdown",
        "markdown": {"content": "**[重大问题] 区发展改革委**\n2.1 资金缺口较大"},
    }
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None


def test_dingtalk_robot_gets_its_format_signed_with_timestamp_and_secret(robot, django_capture_on_commit_callbacks):
    dingtalk(robot, message_format="text")
    before = timezone.now()

    [delivery] = send(django_capture_on_commit_callbacks, title="[逾期] 2026年第4季度", text="报告尚未报送。")

    [post] = robot.received
    assert post.path == "/robot/send"
    assert post.body == {"msgtype": "text", "text": {"content": "[逾期] 2026年第4季度\n报告尚未报送。"}}
    assert post.query["access_token"] == DING_TOKEN
    timestamp = int(post.query["timestamp"])  # milliseconds, within DingTalk's hour of its own clock
    assert abs(timestamp / 1000 - before.timestamp()) < 60
    expected = base64.b64encode(
        hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert post.query["sign"] == expected  # parse_qsl has undone the URL encoding of + / =
    assert delivery.status == "sent"


def test_dingtalk_markdown_carries_a_title(robot, django_capture_on_commit_callbacks):
    dingtalk(robot)
    send(django_capture_on_commit_callbacks, title="督办提醒", text="请于12月10日前反馈。")
    assert robot.received[0].body == {
        "msgtype": "markdown",
        "markdown": {"title": "督办提醒", "text": "#### 督办提醒\n\n请于12月10日前反馈。"},
    }


def test_a_500_is_retried_and_the_delivery_records_both_tries(robot, django_capture_on_commit_callbacks):
    wecom(robot)
    robot.answers = [(500, {"error": "busy"})]

    [delivery] = send(django_capture_on_commit_callbacks, title="标题", text="内容")

    assert len(robot.received) == 2
    assert robot.received[0].body == robot.received[1].body
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")


def test_a_robot_that_keeps_failing_is_given_up_with_the_last_error_and_no_key_in_it(
    robot, django_capture_on_commit_callbacks
):
    wecom(robot)
    robot.answers = [(502, {"error": "bad gateway"})] * MAX_ATTEMPTS

    [delivery] = send(django_capture_on_commit_callbacks, title="标题", text="内容")

    assert len(robot.received) == MAX_ATTEMPTS
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert delivery.last_error.startswith("HTTP 502:")
    assert "/cgi-bin/webhook/send?key=693a••••" in delivery.last_error  # the server echoed the address
    assert WECOM_KEY not in delivery.last_error


def test_a_refusal_that_cannot_succeed_later_is_not_retried(robot, django_capture_on_commit_callbacks):
    wecom(robot)
    robot.answers = [(404, {"error": "no such robot"})]

    [delivery] = send(django_capture_on_commit_callbacks, title="标题", text="内容")

    assert len(robot.received) == 1
    assert (delivery.status, delivery.attempts) == ("failed", 1)


def test_a_robot_error_code_in_a_200_answer_is_a_failed_try(robot, django_capture_on_commit_callbacks):
    dingtalk(robot)
    robot.answers = [(200, {"errcode": 130101, "errmsg": "send too fast"})]

    [delivery] = send(django_capture_on_commit_callbacks, title="标题", text="内容")

    assert len(robot.received) == 2
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_only_the_addressed_unit_and_active_robots_are_posted_to(robot, django_capture_on_commit_callbacks, plan):
    from departments.models import Department

    unit, other = Department.objects.get(name="七里海管委会"), Department.objects.get(name="区统计局")
    mine = wecom(robot, department=unit)
    wecom(robot, department=other)
    wecom(robot)  # the office's
    wecom(robot, department=unit, is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        deliveries = notify(department=unit, event="test", title="标题", text="内容")

    assert [d.webhook for d in deliveries] == [mine]
    assert len(robot.received) == 1


def test_the_overdue_check_posts_to_the_late_units_robot_once(robot, django_capture_on_commit_callbacks, plan):
    from departments.models import Department
    from tasks.models import ReportingPeriod

    today = timezone.localdate()
    ReportingPeriod.objects.create(
        year=today.year, quarter=1, opens_on=today - dt.timedelta(days=40), due_on=today - dt.timedelta(days=2)
    )
    unit = Department.objects.get(name="七里海管委会")
    wecom(robot, department=unit)

    with django_capture_on_commit_callbacks(execute=True):
        detect_overdue(today=today)
    with django_capture_on_commit_callbacks(execute=True):
        detect_overdue(today=today)

    [post] = robot.received
    assert post.body["markdown"]["content"].startswith("**【逾期提醒】")
    assert WebhookDelivery.objects.get().event == "overdue"


def test_the_admin_never_shows_the_address_key_or_the_secret_back(robot, office_client):
    hook = dingtalk(robot)
    for url in (
        reverse("admin:notifications_webhook_changelist"),
        reverse("admin:notifications_webhook_change", args=[hook.pk]),
    ):
        html = office_client.get(url).content.decode()
        assert DING_TOKEN not in html and DING_SECRET not in html
        assert "c3b7••••" in html
    assert "SEC8••••" in html  # the change form says which secret is stored


def test_saving_the_admin_form_with_empty_address_and_secret_keeps_them(robot, office_client):
    hook = dingtalk(robot)
    url = reverse("admin:notifications_webhook_change", args=[hook.pk])
    data = {
        "name": "办公室钉钉群（新）",
        "department": "",
        "kind": "dingtalk",
        "message_format": "text",
        "url": "",
        "secret": "",
        "is_active": "on",
    }

    response = office_client.post(url, data)

    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.name, hook.url, hook.secret) == (
        "办公室钉钉群（新）",
        f"{robot.url}/robot/send?access_token={DING_TOKEN}",
        DING_SECRET,
    )
    office_client.post(url, {**data, "secret": "SECnew-secret-value-123456"})
    hook.refresh_from_db()
    assert hook.secret == "SECnew-secret-value-123456"
    office_client.post(url, {**data, "clear_secret": "on"})
    hook.refresh_from_db()
    assert hook.secret == ""


def test_a_new_robot_needs_its_address_and_wecom_takes_no_secret(office_client):
    response = office_client.post(
        reverse("admin:notifications_webhook_add"),
        {"name": "群", "kind": "wecom", "message_format": "markdown", "url": "", "secret": "SECx", "is_active": "on"},
    )
    assert response.status_code == 200
    assert not Webhook.objects.exists()
    html = response.content.decode()
    assert "该字段是必填项。" in html
    assert "企业微信群机器人不使用签名" in html


@pytest.mark.django_db(transaction=True)
def test_a_save_that_reports_a_major_problem_answers_before_the_robot_does(robot, settings, plan, period, dept_a_user):
    """The robot holds its answer; the reporter's save comes back all the same, and the message arrives later."""
    from django.test import Client

    from tasks.services import start_report
    from tests.tasks.test_views import form_data, task_id, url

    settings.JOBS_IN_THREADS = True
    wecom(robot)
    robot.hold = threading.Event()
    report = start_report(plan=plan, department=dept_a_user.membership.department, period=period, by=dept_a_user)
    client = Client()
    client.force_login(dept_a_user)
    t = task_id(report, "6.2")

    response = client.post(
        url(report), form_data(report, tasks={t: {"major_problem": True, "problems": "造林用地不足。"}})
    )

    assert response.status_code == 302
    assert robot.arrived.wait(timeout=30)  # the robot has the message and is still holding its answer
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "sending" and delivery.event == "major_problem"  # claimed, awaiting the answer
    robot.hold.set()
    deadline = time.monotonic() + 30
    while WebhookDelivery.objects.get().status == "sending" and time.monotonic() < deadline:
        time.sleep(0.05)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert "造林用地不足。" in robot.received[0].body["markdown"]["content"]
