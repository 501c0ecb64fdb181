"""Shared fixtures: the official plan is loaded once per test session and rolled back per test."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PLAN_TEXT_PATH = FIXTURES / "ninghe-carbon-peak-plan-2023.txt"


@pytest.fixture(scope="session")
def plan_text() -> str:
    return PLAN_TEXT_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), open(os.devnull, "w") as quiet:
        call_command("load_ninghe_plan", stdout=quiet)


@pytest.fixture
def plan(db):
    from targets.models import Plan

    return Plan.objects.get(code="ninghe-2023")


@pytest.fixture
def office_client(client, django_user_model):
    """A staff member of the leading-group office (admin access)."""
    user = django_user_model.objects.create_user("office", password="pw-office-1", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client
