"""The reporting fixtures work together: a department starts, fills in, submits; the office approves."""

import pytest

from tasks import services
from tasks.models import ReportStatus

pytestmark = pytest.mark.django_db


def complete_data(report):
    tasks = {
        u.task_id: {
            "status": "in_progress",
            "percent_complete": 50,
            "work_done": "完成了工作。",
            "problems": "",
            "next_steps": "继续。",
            "major_problem": False,
        }
        for u in report.task_updates.all()
    }
    indicators = {
        v.indicator_id: (
            {"reached": True, "data_source": "区统计局"}
            if v.indicator.is_milestone
            else {"value": 8, "data_source": "林业统计年报"}
        )
        for v in report.indicator_values.select_related("indicator").prefetch_related("indicator__targets")
    }
    return tasks, indicators


def test_start_fill_submit_approve(report_a, dept_a_user, office_user):
    assert report_a.task_updates.count() == 4  # 6.1, 6.2 (lead), 6.3 and 政策保障·1
    tasks, indicators = complete_data(report_a)
    services.save_draft(
        report=report_a, by=dept_a_user, version=report_a.version, task_data=tasks, indicator_data=indicators
    )
    report_a.refresh_from_db()
    services.submit_report(report=report_a, by=dept_a_user)
    services.approve_report(report=report_a, by=office_user)
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.APPROVED
    assert [e.action for e in report_a.events.order_by("at", "pk")] == ["create", "save", "submit", "approve"]
