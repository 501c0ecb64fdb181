"""The demo's approved history (the ten quarters before the one being reported on the frozen test date) and its
computed results: what an annual report reads."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from results.services import recompute_plan
from tasks import demo


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo_plan(plan, media):
    demo._demo_password_hash.cache_clear()
    demo.create_accounts(plan)
    periods = demo.create_periods(timezone.localdate())
    office = get_user_model().objects.get(username="demo-office")
    demo.create_history(plan, periods, office)
    recompute_plan(plan)
    return plan


@pytest.fixture
def demo_office(demo_plan):
    return get_user_model().objects.get(username="demo-office")
