"""Chaos, in process: Redis down during page views and approvals, PostgreSQL refusing connections for seconds.

Nothing is lost and every page is a clear answer. (The worker killed during a PDF and during a recompute is in
tests/results/test_worker_chaos.py, which needs a real worker.)
"""

import contextlib
import os
import socket
import threading
import time

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from ninghe_carbon.cache import ResilientRedisCache
from results.models import PendingRecompute
from results.services import recompute_plan
from tasks import services
from tasks.models import QuarterlyReport, ReportStatus
from tests.tasks.test_smoke import complete_data
from tests.test_cache import closed_port


def _submitted(report, by):
    tasks, indicators = complete_data(report)
    services.save_draft(report=report, by=by, version=report.version, task_data=tasks, indicator_data=indicators)
    return services.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=by)


@pytest.mark.django_db
def test_with_redis_down_pages_answer_and_an_approval_is_kept(
    plan, period, report_a, dept_a_user, office_user, settings, monkeypatch
):
    """Cache and broker both on a closed port: the overview is computed, the approval commits, its recompute waits."""
    from ninghe_carbon.celery import app

    recompute_plan(plan)
    _submitted(report_a, dept_a_user)
    dead = f"redis://127.0.0.1:{closed_port()}/12"
    monkeypatch.setattr(ResilientRedisCache, "_down_until", 0.0)
    settings.CACHES = {"default": {"BACKEND": "ninghe_carbon.cache.ResilientRedisCache", "LOCATION": dead}}
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", dead)
    monkeypatch.setenv("CELERY_BROKER_URL", dead)
    office = Client(raise_request_exception=False)
    office.force_login(office_user)

    for url in (
        reverse("dashboard:overview", args=[plan.code]),
        reverse("tasks:home"),
        reverse("tasks:report-detail", args=[report_a.pk]),
    ):
        assert office.get(url).status_code == 200, url
    approved = office.post(reverse("tasks:report-action", args=[report_a.pk, "approve"]), {"comment": "同意"})

    assert approved.status_code == 302
    assert QuarterlyReport.objects.get(pk=report_a.pk).status == ReportStatus.APPROVED
    assert PendingRecompute.objects.filter(report=report_a, processed_at__isnull=True).exists()  # for the sweep


class RefusingProxy:
    """A TCP proxy to PostgreSQL that we can make refuse connections (and drop open ones), as a restart does."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener = None
        self.open = []
        self.up()

    def up(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self):
        for sock in [self.listener, *self.open]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()  # shut down first: close() alone would not wake the thread blocked in accept()
        self.open.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


@pytest.fixture
def database_behind_a_proxy(transactional_db):
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but the test database is not PostgreSQL", pytrace=False)
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    saved = dict(connection.settings_dict)
    proxy = RefusingProxy((saved["HOST"] or "127.0.0.1", int(saved["PORT"] or 5432)))
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(proxy.port))
    yield proxy
    connection.close()
    proxy.down()
    connection.settings_dict.update(HOST=saved["HOST"], PORT=saved["PORT"])


def test_with_postgresql_refusing_connections_pages_say_retry_and_nothing_is_half_saved(
    database_behind_a_proxy, plan, period, report_a, dept_a_user
):
    proxy = database_behind_a_proxy
    reporter = Client(raise_request_exception=False)
    reporter.force_login(dept_a_user)
    page = reverse("tasks:report-detail", args=[report_a.pk])
    assert reporter.get(page).status_code == 200
    tasks, _ = complete_data(report_a)
    task_id = next(iter(tasks))
    form = {"version": "1", "action": "save", f"t{task_id}-work_done": "停电期间写的进展"}

    proxy.down()
    started = time.monotonic()
    answers = [reporter.get(page), reporter.post(page, form), reporter.get("/api/v1/reports/")]
    outage = time.monotonic() - started

    assert [a.status_code for a in answers] == [503, 503, 503]
    assert "数据库暂时无法连接" in answers[0].content.decode() and answers[0]["Retry-After"] == "5"
    assert answers[2].json()["detail"].startswith("数据库暂时无法连接")
    assert outage < 10
    time.sleep(3)  # a few seconds of refusal, as a restart takes
    proxy.up()
    close_old_connections()  # what Django's handler does at the end of every request; the test client does not

    assert reporter.get(page).status_code == 200
    report = QuarterlyReport.objects.get(pk=report_a.pk)
    assert report.version == 1 and not report.task_updates.filter(work_done="停电期间写的进展").exists()
    assert reporter.post(page, form).status_code in (200, 302)  # the retry goes through
    assert QuarterlyReport.objects.get(pk=report_a.pk).task_updates.filter(work_done="停电期间写的进展").exists()
