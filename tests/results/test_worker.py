"""A real Celery worker, against Redis and the test database, processes an approval; a broker outage loses nothing.

The worker is another process, so these tests commit (transaction=True) and need PostgreSQL: an SQLite test
database lives in this process's memory. Locally they skip without PostgreSQL or Redis; in CI (CI=true) they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.db import connection
from kombu import pools as kombu_pools

from tests.tasks.test_smoke import complete_data

ROOT = Path(__file__).resolve().parents[2]
# Parallel runs on one machine each take their own Redis database (TEST_REDIS_DB; 9 by default).
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, int(os.environ.get("TEST_REDIS_DB", "9"))
BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
WORKER_START_TIMEOUT = 60
RESULT_TIMEOUT = 30

pytestmark = pytest.mark.django_db(transaction=True)


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine; in CI a missing service is an error, never a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}: the real-worker tests need PostgreSQL and Redis.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def services_up():
    if connection.vendor != "postgresql":
        _unavailable(f"the test database is {connection.vendor}, not PostgreSQL (set DATABASE_URL)")
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
    except OSError as exc:
        _unavailable(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT} ({exc})")
    if not reply.startswith(b"+PONG"):
        _unavailable(f"{REDIS_HOST}:{REDIS_PORT} did not answer PING like Redis ({reply!r})")


def _closed_port() -> int:
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def publish_to(monkeypatch):
    """Make this process publish jobs for real (the session may be eager); restore the app afterwards."""
    from ninghe_carbon.celery import app

    keys = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}

    def configure(broker_url: str, queue: str = "celery") -> None:
        _drop_connections(app)
        # Celery prefers the CELERY_BROKER_URL environment variable (set in CI) over app.conf.broker_url
        monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
        app.conf.update(task_always_eager=False, broker_url=broker_url, task_default_queue=queue)

    yield configure
    _drop_connections(app)
    app.conf.update(saved)


def _drop_connections(app) -> None:
    """Forget the pools made for another broker URL (Celery keeps them on the app; app.close() keeps one)."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None and amqp._producer_pool is not None:
        amqp._producer_pool.force_close_all()
        amqp._producer_pool = None
    # Producer pools also live in kombu's global registry, keyed by connection: a closed one left there would be
    # handed out again the next time this URL is used ("Acquire on closed pool"), so clear the registry too.
    kombu_pools.reset()


def _database_url() -> str:
    """The test database (NAME is the test database's name by now), as the worker's DATABASE_URL."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = quote(s["HOST"] or "127.0.0.1", safe="")  # a socket directory becomes %2Fvar%2Frun%2F...
    port = s["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(s['NAME'], safe='')}"


def launch_worker(queue: str, log_path: Path) -> subprocess.Popen:
    """`celery -A ninghe_carbon worker --pool=solo` on `queue`, its output in `log_path`, once it is ready."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ninghe_carbon.settings",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",  # no idle connection left behind to block dropping the test database
        "CELERY_BROKER_URL": BROKER_URL,
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        *(sys.executable, "-m", "celery", "-A", "ninghe_carbon", "worker"),
        *("--pool=solo", "--concurrency=1", "-l", "info", "-Q", queue, "-n", f"{queue}@%h"),
        *("--without-mingle", "--without-gossip", "--without-heartbeat"),
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    ready_before = _log_text(log_path).count(" ready.")
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while _log_text(log_path).count(" ready.") == ready_before:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited with {process.returncode}:\n{_log_text(log_path)}", pytrace=False)
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the Celery worker was not ready in {WORKER_START_TIMEOUT} s:\n{_log_text(log_path)}")
        time.sleep(0.2)
    return process


def _log_text(log_path: Path) -> str:
    return log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture
def worker(services_up, transactional_db, publish_to, tmp_path, request):
    """A worker on a queue of its own, started and always stopped (also any `started` by the test itself)."""
    queue = f"ninghe-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    failures_before = request.session.testsfailed
    started = []
    try:
        process = launch_worker(queue, log_path)
        started.append(process)
        publish_to(BROKER_URL, queue)
        yield SimpleNamespace(process=process, queue=queue, log_path=log_path, started=started)
    finally:
        for process in started:
            stop_worker(process)
        _forget_queue(queue)
        if request.session.testsfailed > failures_before:
            log = _log_text(log_path)
            sys.stderr.write(f"\n--- Celery worker log ({log_path}) ---\n{log}\n--- end of worker log ---\n")


def _forget_queue(queue: str) -> None:
    """Remove the run's own queue (and its binding) from the Redis database, so runs leave nothing behind."""
    import redis

    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
    try:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    except redis.RedisError:
        pass
    finally:
        client.close()


def _submitted(report, by):
    from tasks import services
    from tasks.models import QuarterlyReport

    report = QuarterlyReport.objects.get(pk=report.pk)
    tasks, indicators = complete_data(report)
    services.save_draft(report=report, by=by, version=report.version, task_data=tasks, indicator_data=indicators)
    return services.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=by)


def _results_for(report) -> dict[int, tuple]:
    """target id -> (status, latest value, computed at) as of the report's quarter, for the report's indicators."""
    from results.models import TargetResult

    rows = TargetResult.objects.filter(
        target__indicator__in=report.indicator_values.values("indicator_id"), period=report.period
    ).values_list("target_id", "status", "latest_value", "computed_at")
    return {target_id: rest for target_id, *rest in rows}


def _targets_of(report) -> set[int]:
    from indicators.models import Target

    return set(
        Target.objects.filter(indicator__in=report.indicator_values.values("indicator_id")).values_list("pk", flat=True)
    )


def _wait_for(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


def test_a_real_worker_recomputes_after_an_approval(worker, plan, report_a, dept_a_user, office_user):
    from results import services as results_services
    from results.models import ComputationRun, PendingRecompute
    from tasks import services
    from tasks.models import QuarterlyReport, ReportStatus

    report = _submitted(report_a, dept_a_user)
    results_services.recompute_plan(plan)  # in this process: the quarter's rows exist, with no approved data yet
    before = _results_for(report)
    assert set(before) == _targets_of(report) != set()
    assert all(latest is None for _, latest, _ in before.values())

    services.approve_report(report=report, by=office_user)  # on commit: PendingRecompute row, job sent to Redis

    assert QuarterlyReport.objects.get(pk=report.pk).status == ReportStatus.APPROVED
    pending = PendingRecompute.objects.get(report=report)
    processed = _wait_for(
        lambda: PendingRecompute.objects.filter(pk=pending.pk, processed_at__isnull=False).exists(), RESULT_TIMEOUT
    )
    assert processed, f"the worker did not process the pending recompute within {RESULT_TIMEOUT} s"
    after = _results_for(report)
    assert set(after) == set(before)
    changed = {pk for pk in after if after[pk] != before[pk]}
    assert changed, "no result row of the approved report's indicators changed"
    assert all(after[pk][2] > before[pk][2] for pk in changed)  # recomputed after the approval
    assert {after[pk][1] for pk in changed} <= {8.0, 1.0}  # the approved values: 8, or a milestone reached
    run = ComputationRun.objects.filter(kind=ComputationRun.Kind.INCREMENTAL, covered__report=report.pk).get()
    assert run.finished_at is not None and not run.error


def test_an_approval_is_saved_when_the_broker_is_down(
    services_up, publish_to, plan, report_a, dept_a_user, office_user, caplog
):
    from results.jobs import process_pending_recomputes
    from results.models import PendingRecompute
    from tasks import services
    from tasks.models import QuarterlyReport, ReportStatus

    report = _submitted(report_a, dept_a_user)
    publish_to(f"redis://127.0.0.1:{_closed_port()}/0")

    started = time.monotonic()
    services.approve_report(report=report, by=office_user)  # no exception reaches the caller
    took = time.monotonic() - started

    assert took < 10, f"the approval waited {took:.1f} s for a broker that is down"
    assert not connection.in_atomic_block  # committed, not merely pending in a transaction
    assert QuarterlyReport.objects.get(pk=report.pk).status == ReportStatus.APPROVED
    pending = PendingRecompute.objects.get(report=report)
    assert pending.processed_at is None
    assert "Broker unavailable" in caplog.text
    assert _results_for(report) == {}

    assert process_pending_recomputes() == 1  # the sweep, as the broker's return (or celery beat) would run it

    pending.refresh_from_db()
    assert pending.processed_at is not None
    assert set(_results_for(report)) == _targets_of(report)


def test_an_approval_made_while_the_broker_was_down_is_recomputed_by_the_worker_once_it_is_back(
    worker, publish_to, plan, report_a, dept_a_user, office_user, settings
):
    from ninghe_carbon.celery import app
    from results import services as results_services
    from results.models import PendingRecompute
    from tasks import services
    from tasks.models import QuarterlyReport, ReportStatus

    report = _submitted(report_a, dept_a_user)
    results_services.recompute_plan(plan)
    before = _results_for(report)

    publish_to(f"redis://127.0.0.1:{_closed_port()}/0")  # the broker goes away
    services.approve_report(report=report, by=office_user)
    assert QuarterlyReport.objects.get(pk=report.pk).status == ReportStatus.APPROVED
    pending = PendingRecompute.objects.get(report=report)
    time.sleep(2)  # the running worker has nothing to do: the nudge never reached it
    pending.refresh_from_db()
    assert pending.processed_at is None
    assert _results_for(report) == before

    publish_to(BROKER_URL, worker.queue)  # the broker is back; celery beat sends its periodic sweep
    sweep = settings.CELERY_BEAT_SCHEDULE["process-pending-recomputes"]
    assert sweep["schedule"] <= 300
    app.send_task(sweep["task"])

    processed = _wait_for(
        lambda: PendingRecompute.objects.filter(pk=pending.pk, processed_at__isnull=False).exists(), RESULT_TIMEOUT
    )
    assert processed, f"the worker did not process the pending recompute within {RESULT_TIMEOUT} s"
    after = _results_for(report)
    assert set(after) == set(before)
    assert any(after[pk][1] != before[pk][1] for pk in after), "the approved values never reached the results"
