"""Past its deadline, a notice is announced once: one e-mail to the unit and the office, one step in its history."""

import datetime as dt

import pytest
from django.core import mail

from supervision import services
from supervision.jobs import announce_overdue_notices
from supervision.overdue import announce_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def addressed(notice, dept_a_user, office_user):
    dept_a_user.email = "unit@example.cn"
    dept_a_user.save()
    office_user.email = "office@example.cn"
    office_user.save()
    return notice


def test_nothing_is_announced_before_the_deadline_has_passed(addressed):
    assert announce_overdue(today=addressed.deadline) == 0
    assert mail.outbox == []


def test_an_overdue_notice_is_mailed_to_the_unit_and_the_office_once(addressed):
    after = addressed.deadline + dt.timedelta(days=1)
    assert announce_overdue(today=after) == 1
    assert announce_overdue(today=after + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["office@example.cn", "unit@example.cn"]
    assert addressed.display_number in message.subject
    assert addressed.steps.filter(action="overdue").count() == 1


def test_a_new_deadline_after_an_extension_is_announced_again(addressed, dept_a_user, office_user):
    after = addressed.deadline + dt.timedelta(days=1)
    announce_overdue(today=after)
    services.request_extension(notice=addressed, by=dept_a_user, deadline=after + dt.timedelta(days=5), reason="r")
    services.grant_extension(notice=addressed, by=office_user)
    assert announce_overdue(today=after + dt.timedelta(days=6)) == 1
    assert len(mail.outbox) == 2


def test_an_answered_notice_is_not_announced(addressed, dept_a_user):
    services.answer_notice(notice=addressed, by=dept_a_user, measures="m", planned_completion=dt.date(2027, 1, 1))
    assert announce_overdue(today=addressed.deadline + dt.timedelta(days=3)) == 0


def test_a_failing_mail_server_records_nothing_and_the_next_run_sends(addressed, monkeypatch):
    after = addressed.deadline + dt.timedelta(days=1)

    def down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("supervision.overdue.send_mail", down)
    with pytest.raises(ConnectionRefusedError):
        announce_overdue(today=after)
    addressed.refresh_from_db()
    assert addressed.overdue_notified_for is None and not addressed.steps.filter(action="overdue").exists()
    monkeypatch.undo()
    assert announce_overdue(today=after) == 1


def test_the_job_runs_on_todays_date_and_is_scheduled(addressed, settings):
    import time_machine

    with time_machine.travel(dt.datetime.combine(addressed.deadline + dt.timedelta(days=2), dt.time(1), tzinfo=dt.UTC)):
        assert announce_overdue_notices.delay().get() == 1
    assert (
        settings.CELERY_BEAT_SCHEDULE["announce-overdue-notices"]["task"] == "supervision.jobs.announce_overdue_notices"
    )


def test_the_unit_s_and_the_office_s_group_robots_get_the_opening_and_the_overdue_message(
    office_user, forest_task, period, today
):
    from notifications.models import Webhook, WebhookDelivery
    from supervision.selectors import task_subject

    subject = task_subject(forest_task, period)
    unit = subject.responsible
    for department in (unit, None):
        Webhook.objects.create(
            name="群机器人", department=department, kind="wecom", message_format="text", url="http://127.0.0.1:9/hook"
        )
    notice = services.open_notice(
        subject=subject, by=office_user, requirement="请报送整改措施。", deadline=today, today=today
    )
    [opened] = WebhookDelivery.objects.filter(event="notice_opened")
    assert opened.webhook.department == unit
    assert opened.title.startswith("【督办】") and notice.display_number in opened.title
    assert "办理期限：" in opened.text and "请报送整改措施。" in opened.text

    assert announce_overdue(today=today + dt.timedelta(days=1)) == 1
    overdue = WebhookDelivery.objects.filter(event="notice_overdue")
    assert {d.webhook.department for d in overdue} == {unit, None}
    assert all(notice.display_number in d.title for d in overdue)
