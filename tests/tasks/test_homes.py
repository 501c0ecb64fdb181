"""Each role's next step on its home page, and one status per report row."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from departments.models import Department
from results.services import recompute_plan
from tasks import services
from tests.factories import percent_down_flag
from tests.tasks.test_smoke import complete_data
from tests.tasks.test_views import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def past_due(period):
    return time_machine.travel(dt.datetime.combine(period.due_on + dt.timedelta(days=5), dt.time(10)), tick=False)


def send(report, user):
    tasks, indicators = complete_data(report)
    services.save_draft(
        report=fresh(report), by=user, version=fresh(report).version, task_data=tasks, indicator_data=indicators
    )
    return services.submit_report(report=fresh(report), by=user)


def client_for(user) -> Client:
    """Logged in at the (travelled) time of the request, so the session has not expired."""
    client = Client()
    client.force_login(user)
    return client


def count(html: str, code: str) -> int:
    """The overview's headline count of the quarter's reports in one timeliness state (late, missing …)."""
    return int(re.search(rf'id="timeliness-{code}">(\d+)<', html).group(1))


def test_office_counts_agree_with_the_overview_and_its_review_comes_first(
    plan, period, report_a, report_b, dept_a_user, dept_b_user, office_user
):
    with past_due(period):
        send(report_a, dept_a_user)  # late, awaiting review
        send(report_b, dept_b_user)
        services.return_report(report=fresh(report_b), by=office_user, comment="请补充。")
        recompute_plan(plan)
        office_client = client_for(office_user)
        home = office_client.get(reverse("tasks:home"), {"period": period.pk})
        overview = office_client.get(reverse("dashboard:overview", args=[plan.code]), {"period": period.pk})

    counts = home.context["counts"]
    html = overview.content.decode()
    assert counts["late"] == count(html, "late") == 2
    assert counts["missing"] == count(html, "missing") > 0
    assert (counts["submitted"], counts["returned"]) == (1, 1)
    rows = home.context["rows"]
    assert rows[0]["report"] == report_a  # the office's own next step first
    assert [r["row_state"] for r in rows[1:3]] == ["overdue", "overdue"]  # then units to chase
    page = home.content.decode()
    assert "份待您审核" in page and "个单位逾期未报" in page
    row_b = page[page.index(str(report_b.department.name)) :]
    row_b = row_b[: row_b.index("</tr>")]
    assert row_b.count('class="state ') == 1 and "已退回，逾期未重新报送" in row_b
    assert "（逾期报送）" in row_b


def test_the_head_sees_what_awaits_sign_off_first(report_a, dept_a_user, dept_a_head):
    Department.objects.filter(pk=report_a.department_id).update(requires_head_signoff=True)
    send(report_a, dept_a_user)
    client = client_for(dept_a_head)

    html = client.get(reverse("tasks:home")).content.decode()

    assert "待您审签" in html
    assert html.index("待您审签") < html.index("本期待报")
    assert f"{report_a.get_absolute_url()}#review" in html


def test_an_approved_row_says_approved_and_nothing_about_reporting_late(report_a, dept_a_user, office_user, period):
    send(report_a, dept_a_user)
    services.approve_report(report=fresh(report_a), by=office_user)
    with past_due(period):
        html = client_for(dept_a_user).get(reverse("tasks:home")).content.decode()
    due_now = html[html.index("本期待报") : html.index("全部报告")]
    assert "已审核通过" in due_now
    assert "仍可报送" not in due_now and "逾期未报" not in due_now


def test_office_home_counts_reports_with_open_check_prompts(
    report_a, report_b, dept_a_user, dept_b_user, office_user, viewer_user, period
):
    flagged_report = send(report_a, dept_a_user)
    send(report_b, dept_b_user)
    tasks = list(flagged_report.task_updates.order_by("pk"))
    for update in tasks[:2]:
        percent_down_flag(flagged_report, update=update)

    home = client_for(office_user).get(reverse("tasks:home"), {"period": period.pk}).content.decode()
    assert re.search(r'id="flagged-count"><strong>1</strong>份报告有待核查提示', home)
    assert "2 条待核查提示" in home

    services.dismiss_flag(flag=flagged_report.quality_flags.first(), by=office_user, reason="已核实。")
    services.dismiss_flag(flag=flagged_report.quality_flags.last(), by=office_user, reason="已核实。")
    home = client_for(office_user).get(reverse("tasks:home"), {"period": period.pk}).content.decode()
    assert re.search(r'id="flagged-count"><strong>0</strong>', home) and "条待核查提示" not in home

    viewer_home = client_for(viewer_user).get(reverse("tasks:home"), {"period": period.pk}).content.decode()
    assert 'id="flagged-count"' not in viewer_home
