"""Structured logging: every workflow step and every refused change is one JSON line with its fields."""

import json
import logging
from io import BytesIO

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from tasks import services, spreadsheet
from tasks.models import QuarterlyReport, ReportEvent
from tests.tasks.test_smoke import complete_data

pytestmark = pytest.mark.django_db


def _workflow(caplog):
    return [r for r in caplog.records if r.name == "ninghe.workflow"]


def _fresh(report):
    return QuarterlyReport.objects.get(pk=report.pk)


def _save(report, by, tasks, indicators=None, *, version=None):
    version = report.version if version is None else version
    return services.save_draft(report=report, by=by, version=version, task_data=tasks, indicator_data=indicators or {})


def test_each_workflow_step_is_logged_with_who_what_and_the_status_change(report_a, dept_a_user, office_user, caplog):
    caplog.set_level(logging.INFO, logger="ninghe.workflow")
    tasks, indicators = complete_data(report_a)
    _save(report_a, dept_a_user, tasks, indicators)
    services.submit_report(report=_fresh(report_a), by=dept_a_user)
    services.return_report(report=_fresh(report_a), by=office_user, comment="补充材料")
    services.submit_report(report=_fresh(report_a), by=dept_a_user)
    services.approve_report(report=_fresh(report_a), by=office_user)
    services.reopen_report(report=_fresh(report_a), by=office_user, reason="数据更正")

    steps = [(r.action, r.user, r.status_before, r.status_after) for r in _workflow(caplog)]
    assert steps == [
        ("save", "dept-a", "draft", "draft"),
        ("submit", "dept-a", "draft", "submitted"),
        ("return", "office", "submitted", "returned"),
        ("submit", "dept-a", "returned", "submitted"),
        ("approve", "office", "submitted", "approved"),
        ("reopen", "office", "approved", "returned"),
    ]
    assert all(r.report == report_a.pk and r.department == report_a.department_id for r in _workflow(caplog))
    saved = ReportEvent.objects.get(report=report_a, action=ReportEvent.Action.SAVE)
    assert _workflow(caplog)[0].changed_fields == saved.changes.count() > 0


def test_a_refused_save_is_logged_and_nothing_is_saved(report_a, dept_a_user, caplog):
    task_id = next(iter(complete_data(report_a)[0]))
    with pytest.raises(services.ReportErrors):
        _save(report_a, dept_a_user, {task_id: {"percent_complete": 150}})
    [record] = _workflow(caplog)
    assert (record.levelname, record.reason, record.action, record.user) == ("WARNING", "invalid", "save", "dept-a")
    assert record.errors >= 1
    assert _fresh(report_a).version == report_a.version


def test_a_stale_save_is_logged_as_a_version_conflict(report_a, dept_a_user, caplog):
    tasks, _ = complete_data(report_a)
    with pytest.raises(services.VersionConflict):
        _save(report_a, dept_a_user, tasks, version=report_a.version - 1)
    [record] = _workflow(caplog)
    assert record.reason == "version_conflict"


def test_the_configured_formatter_writes_one_json_object_per_line(report_a, dept_a_user, caplog):
    caplog.set_level(logging.INFO, logger="ninghe.workflow")
    tasks, indicators = complete_data(report_a)
    _save(report_a, dept_a_user, tasks, indicators)
    options = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    line = JsonFormatter(**options).format(_workflow(caplog)[0])
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["logger"] == "ninghe.workflow"
    assert entry["message"] == "report.save"
    assert entry["level"] == "INFO"
    assert entry["user"] == "dept-a" and entry["report"] == report_a.pk
    assert "time" in entry


def test_a_refused_workbook_upload_is_logged(report_a, dept_a_user, caplog):
    outcome = spreadsheet.import_workbook(report=report_a, file=BytesIO(b"not a workbook"), by=dept_a_user)
    assert outcome.errors
    [record] = _workflow(caplog)
    assert (record.message, record.action, record.reason, record.errors) == ("report.refused", "import", "invalid", 1)


def test_the_configured_broker_names_its_host_so_kombu_does_not_warn(caplog):
    """Eager Celery (no CELERY_BROKER_URL) still borrows a producer from the configured broker; a broker URL without
    a host made kombu warn "No hostname was supplied" on every start-up, a warning that does not apply."""
    from kombu import Connection

    with caplog.at_level(logging.WARNING, logger="kombu"):
        Connection(settings.CELERY_BROKER_URL).clone()
    assert not [r for r in caplog.records if r.name.startswith("kombu")]
