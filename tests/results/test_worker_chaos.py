"""Chaos with a real worker: killed (SIGKILL, no goodbye) in the middle of a PDF and of a recompute.

The job is acknowledged late, so Redis hands it to the next worker once the visibility timeout has passed
(shortened here to 10 s through CELERY_VISIBILITY_TIMEOUT): the PDF ends done, the recompute ends finished, and
nothing the users saved is touched. Uses the real-worker fixtures of test_worker.py (PostgreSQL and Redis; run
locally with TEST_REDIS_DB set to a database of your own).
"""

import re
import time

import pytest

from evaluation import services as evaluation_services
from evaluation.models import ReportFile
from results.models import ComputationRun, TargetResult, TargetSeries
from tests.evaluation.test_worker_pdf import history, shared_media  # noqa: F401 (fixtures)
from tests.results.test_worker import launch_worker, publish_to, services_up, worker  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

REDELIVERY_TIMEOUT = 180  # visibility timeout (10 s) + restore sweep (about 30 s) + the job itself, with room


@pytest.fixture
def short_visibility(monkeypatch):
    """Set before the worker starts (it copies the environment)."""
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "10")


def _wait(condition, timeout: float, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(every)
    return value


def _kill_and_replace(current):
    current.process.kill()
    current.process.wait(timeout=10)
    current.started.append(launch_worker(current.queue, current.log_path))


@pytest.mark.usefixtures("short_visibility", "shared_media")  # in the environment before the worker starts
def test_a_pdf_whose_worker_is_killed_mid_run_is_finished_by_the_next_worker(request, plan):
    celery, office = request.getfixturevalue("worker"), request.getfixturevalue("history")
    evaluation = evaluation_services.evaluation_for(plan, 2025)
    file = evaluation_services.request_pdf(evaluation, by=office)
    running = _wait(
        lambda: ReportFile.objects.filter(pk=file.pk, state="running", progress__gte=10).exists(), 120, every=0.05
    )
    assert running, ReportFile.objects.values("state", "progress", "error").get(pk=file.pk)

    _kill_and_replace(celery)
    killed_at = time.monotonic()
    assert ReportFile.objects.get(pk=file.pk).state == "running"  # what the page showed for an hour before

    ended = _wait(lambda: ReportFile.objects.get(pk=file.pk).state in ("done", "failed"), REDELIVERY_TIMEOUT, 0.5)
    file.refresh_from_db()
    assert ended, f"still {file.state} {file.progress}% {time.monotonic() - killed_at:.0f} s after the kill"
    assert file.state == "done", file.error
    assert file.attempts == 2 and file.pages > 10
    print(f"PDF finished {time.monotonic() - killed_at:.0f} s after its worker was killed")


@pytest.mark.usefixtures("short_visibility")
def test_a_recompute_whose_worker_is_killed_mid_run_is_finished_by_the_next_worker(request, plan):
    celery = request.getfixturevalue("worker")
    request.getfixturevalue("history")
    from ninghe_carbon.celery import app

    TargetSeries.objects.all().delete()
    ComputationRun.objects.all().delete()
    result = app.send_task("results.jobs.full_recompute", kwargs={"force": True}, queue=celery.queue)
    received = f"Task results.jobs.full_recompute[{result.id}] received"
    assert _wait(lambda: received in celery.log_path.read_text(), 60, every=0.02)

    _kill_and_replace(celery)
    killed_at = time.monotonic()
    log_at_kill = celery.log_path.read_text()
    assert not re.search(rf"{re.escape(result.id)}\] succeeded", log_at_kill), "the job ended before the kill"

    finished = _wait(
        lambda: ComputationRun.objects.filter(kind="full", finished_at__isnull=False, error="").exists(),
        REDELIVERY_TIMEOUT,
        0.5,
    )
    assert finished, f"no finished full recompute {time.monotonic() - killed_at:.0f} s after the kill"
    assert TargetResult.objects.exists()
    print(f"recompute finished {time.monotonic() - killed_at:.0f} s after its worker was killed")
