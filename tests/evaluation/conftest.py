"""The demo's approved history (2024 Q3 – 2026 Q3, loaded on 2026-12-03) and its computed results: what an annual
report reads. The demo is built at that fixed date whatever date the session runs at, so the reports of 2025 are
always complete and the tests of the 2025 evaluation mean the same thing on any day."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from results.services import recompute_plan
from tasks import demo


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


DEMO_LOADED = dt.datetime(2026, 12, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def demo_plan(plan, media):
    demo._demo_password_hash.cache_clear()
    demo.create_accounts(plan)
    with time_machine.travel(DEMO_LOADED, tick=False):
        periods = demo.create_periods(timezone.localdate())
        office = get_user_model().objects.get(username="demo-office")
        demo.create_history(plan, periods, office)
        recompute_plan(plan)
    return plan


@pytest.fixture
def demo_office(demo_plan):
    return get_user_model().objects.get(username="demo-office")
