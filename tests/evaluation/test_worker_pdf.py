"""A real Celery worker (Redis, the test database) generates the annual report while the row shows its progress.

Uses the real-worker fixtures of tests/results/test_worker.py: PostgreSQL and Redis are required in CI.
"""

import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from evaluation import services
from evaluation.models import ReportFile
from results.services import recompute_plan
from tasks import demo
from tests.results.test_worker import publish_to, services_up, worker  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared_media(tmp_path, monkeypatch, settings):
    """One MEDIA_ROOT for this process and the worker (which reads it from the environment)."""
    media = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    settings.MEDIA_ROOT = media
    return media


@pytest.fixture
def history(plan):
    demo._demo_password_hash.cache_clear()
    demo.create_accounts(plan)
    periods = demo.create_periods(timezone.localdate())
    office = get_user_model().objects.get(username="demo-office")
    demo.create_history(plan, periods, office)
    recompute_plan(plan)
    return office


@pytest.mark.usefixtures("shared_media", "worker")  # MEDIA_ROOT in the environment before the worker starts
def test_the_worker_generates_the_pdf_and_the_row_shows_each_step(shared_media, history, plan):
    evaluation = services.evaluation_for(plan, 2025)
    file = services.request_pdf(evaluation, by=history)  # autocommit: queued at once, to the worker's queue
    seen, deadline = set(), time.monotonic() + 120
    while time.monotonic() < deadline:
        row = ReportFile.objects.values("state", "progress", "step").get(pk=file.pk)
        seen.add((row["state"], row["progress"]))
        if row["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    file.refresh_from_db()
    assert file.state == "done", (file.state, file.error)
    assert any(state == "running" and 0 < progress < 100 for state, progress in seen), seen
    pdf = Path(file.file.path)
    assert pdf.is_relative_to(shared_media) and pdf.read_bytes().startswith(b"%PDF") and file.pages > 10
