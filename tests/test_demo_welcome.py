"""The demo's front door: one account per role with what to try and a one-click log-in, in demo mode only."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from tasks import demo
from tasks.models import QuarterlyReport, ReportStatus

pytestmark = pytest.mark.django_db
WELCOME = "/accounts/demo/"


@pytest.fixture
def demo_accounts(plan):
    """The demo's accounts and its current quarter in every state (no history: the page needs none)."""
    demo._demo_password_hash.cache_clear()
    demo.seed(plan, today=timezone.localdate(), history=False)
    return plan


def logged_in_as(client):
    response = client.get("/reports/")
    return response.context["user"].username if response.status_code == 200 else None


def test_in_demo_mode_the_log_in_page_leads_to_every_role_and_one_click_logs_in(client, settings, demo_accounts):
    settings.DEMO_MODE = True
    assert WELCOME in client.get("/accounts/login/").content.decode()

    page = client.get(WELCOME).content.decode()
    for username in ("demo-office", "demo-viewer", "demo-admin", "dept16-head"):
        assert f'value="{username}"' in page
    assert "查看区碳达峰办的意见，修改后重新提交" in page and demo.DEMO_PASSWORD in page
    reporter = next(r for r in demo.welcome_roles() if re.fullmatch(r"dept\d+", r.username))
    year, quarter = demo.current_quarter(timezone.localdate())
    returned = QuarterlyReport.objects.get(
        department__members__user__username=reporter.username, period__year=year, period__quarter=quarter
    )
    assert returned.status == ReportStatus.RETURNED  # the reporter offered has an office comment to answer

    response = client.post(WELCOME, {"username": reporter.username})
    assert response.status_code == 302 and response["Location"] == "/reports/"
    assert logged_in_as(client) == reporter.username
    assert "请补充本季度工作的量化进展和佐证材料" in client.get("/reports/").content.decode()


def test_outside_demo_mode_the_welcome_page_and_its_log_in_do_not_exist(client, settings, demo_accounts):
    settings.DEMO_MODE = False
    assert WELCOME not in client.get("/accounts/login/").content.decode()
    assert client.get(WELCOME).status_code == 404
    assert client.post(WELCOME, {"username": "demo-admin"}).status_code == 404
    assert logged_in_as(client) is None


def test_the_one_click_log_in_refuses_any_account_the_page_does_not_offer(client, settings, demo_accounts):
    settings.DEMO_MODE = True
    get_user_model().objects.create_superuser("root", password="a-real-secret-1")
    offered = {r.username for r in demo.welcome_roles()}
    other_reporter = next(f"dept{n:02d}" for n in range(1, 40) if f"dept{n:02d}" not in offered)
    for username in ("root", other_reporter, ""):
        assert client.post(WELCOME, {"username": username}).status_code == 404
        assert logged_in_as(client) is None


def test_the_run_summary_names_the_address_each_role_and_the_password(settings, demo_accounts):
    out = StringIO()
    call_command("demo_welcome", url="http://127.0.0.1:8123/", stdout=out)
    printed = out.getvalue()
    assert "演示系统已启动：http://127.0.0.1:8123/" in printed
    assert "http://127.0.0.1:8123/accounts/demo/" in printed
    assert demo.DEMO_PASSWORD in printed and "不是官方统计" in printed
    for r in demo.welcome_roles():
        assert f"{r.username}" in printed and r.try_this in printed
    assert len(printed.splitlines()) <= 10
